package dev.tracepoint.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the two walks over a ring against each other: the event path ({@code PerfRing.drain}) and the
 * batch path ({@code BatchCursor}) must hand on the same records from the same bytes, end at the same
 * {@code data_tail} and report the same corruption (see {@link FuzzChecks#walks}). Plain {@code mvn test}
 * replays the committed inputs in
 * {@code src/test/resources/dev/tracepoint/core/fuzz/RingWalksFuzzTestInputs/walks/}; with {@code JAZZER_FUZZ=1}
 * Jazzer fuzzes from them for {@code maxDuration} and writes any crashing input there, to be committed as a
 * regression input. The JUnit timeout becomes libFuzzer's per-input timeout: an input that hangs is a finding.
 */
class RingWalksFuzzTest {

    static {
        FuzzChecks.underJazzer(); // its instrumentation allocates too: a looser per-byte allocation bound
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(60) // above maxDuration: JUnit times the whole fuzzing run too
    void walks(byte[] data) {
        FuzzChecks.walks(data);
    }
}
