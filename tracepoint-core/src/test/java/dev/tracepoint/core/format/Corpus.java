package dev.tracepoint.core.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Locates the format-file corpus ({@code testdata/corpus} at the repository root) for the tests. */
final class Corpus {

    private Corpus() {
    }

    /** @return the corpus root: the {@code tracepoint.corpus} system property, else {@code ../testdata/corpus} */
    static Path root() {
        String property = System.getProperty("tracepoint.corpus");
        Path root = property != null && !property.isBlank() ? Path.of(property) : Path.of("..", "testdata", "corpus");
        assertThat(root).as("format corpus (system property tracepoint.corpus)").isDirectory();
        return root;
    }

    /** @return a corpus file by its path relative to the root, e.g. {@code "kernel-6.18/signal/signal_generate/format"} */
    static Path path(String relative) {
        return root().resolve(relative);
    }

    /** @return every regular file under a corpus directory except its README.md, sorted */
    static List<Path> files(String directory) throws IOException {
        try (Stream<Path> walk = Files.walk(path(directory))) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals("README.md"))
                    .sorted()
                    .toList();
        }
    }

    /** @return a corpus file, parsed */
    static EventFormat parse(String relative) throws FormatException, IOException {
        return FormatParser.parse(path(relative));
    }

    /** @return the path of a corpus file relative to the root, with '/' separators, for messages and lookups */
    static String relative(Path file) {
        return root().relativize(file).toString().replace('\\', '/');
    }
}
