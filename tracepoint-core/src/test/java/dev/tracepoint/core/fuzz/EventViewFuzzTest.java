package dev.tracepoint.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the decoder: arbitrary sample bytes against real layouts (see {@link FuzzChecks#decoder}). Plain {@code mvn test} replays the committed inputs in
 * {@code src/test/resources/dev/tracepoint/core/fuzz/EventViewFuzzTestInputs/decode/}; with {@code JAZZER_FUZZ=1} Jazzer
 * fuzzes from them for {@code maxDuration} and writes any crashing input there, to be committed as a
 * regression input. The JUnit timeout becomes libFuzzer's per-input timeout: an input that hangs is a finding.
 */
class EventViewFuzzTest {

    static {
        FuzzChecks.underJazzer(); // its instrumentation allocates too: a looser per-byte allocation bound
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(60) // above maxDuration: JUnit times the whole fuzzing run too
    void decode(byte[] data) {
        FuzzChecks.decoder(data);
    }
}
