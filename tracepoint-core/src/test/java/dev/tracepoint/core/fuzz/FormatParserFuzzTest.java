package dev.tracepoint.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the format parser: any bytes in, a format or a FormatException out (see {@link FuzzChecks#formatParser}). Plain {@code mvn test} replays the committed inputs in
 * {@code src/test/resources/dev/tracepoint/core/fuzz/FormatParserFuzzTestInputs/parse/}; with {@code JAZZER_FUZZ=1} Jazzer
 * fuzzes from them for {@code maxDuration} and writes any crashing input there, to be committed as a
 * regression input. The JUnit timeout becomes libFuzzer's per-input timeout: an input that hangs is a finding.
 */
class FormatParserFuzzTest {

    static {
        FuzzChecks.underJazzer(); // its instrumentation allocates too: a looser per-byte allocation bound
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(60) // above maxDuration: JUnit times the whole fuzzing run too
    void parse(byte[] data) {
        FuzzChecks.formatParser(data);
    }
}
