package dev.tracepoint.core.fuzz;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the whole format corpus (every real 6.18 file, the found and reconstructed ones, the adversarial
 * ones), plus truncations and bit flips of each, through the parser fuzz target's checks; Jazzer's own
 * regression run covers only the committed seed cross-section.
 */
class CorpusReplayTest {

    @Test
    void everyCorpusFileAndMutationsOfItPassTheParserChecks() throws IOException {
        Path root = Path.of(System.getProperty("tracepoint.corpus", "../testdata/corpus"));
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".md")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(2000);
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261125);
        long inputs = 0;
        for (Path p : files) {
            byte[] b = Files.readAllBytes(p);
            FuzzChecks.formatParser(b);
            byte[] cut = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
            FuzzChecks.formatParser(cut);
            byte[] flipped = b.clone();
            for (int i = 0; i < 4 && flipped.length > 0; i++) {
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
            }
            FuzzChecks.formatParser(flipped);
            inputs += 3;
        }
        assertThat(inputs).isEqualTo(3L * files.size());
    }
}
