package dev.tracepoint.core.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every real and reconstructed format file parses: the 6.18 capture, published captures, old-kernel variants, the live kernel. */
class FormatParserCorpusTest {

    /** A real capture whose first line lost its 'n' ("ame: sched_process_wait"). */
    private static final String CORRUPTED = "found/haskell-linux-perf-2012-x86_64/sched/sched_process_wait/format";

    /** The standard tracefs mount point. */
    private static final Path LIVE_EVENTS = Path.of("/sys/kernel/tracing/events");

    @Test
    void everyKernel618FileParsesCleanly() throws IOException {
        List<Path> files = Corpus.files("kernel-6.18");
        assertThat(files).hasSize(2323 + 2);
        List<String> problems = new ArrayList<>();
        int events = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            try {
                EventFormat f = FormatParser.parse(file);
                if (name.startsWith("header_")) {
                    assertThat(f.name()).isEqualTo(name);
                    assertThat(f.id()).isEqualTo(-1);
                    continue;
                }
                events++;
                assertThat(f.name()).isEqualTo(file.getParent().getFileName().toString());
                assertThat(f.system()).isEqualTo(file.getParent().getParent().getFileName().toString());
                assertThat(f.id()).isPositive();
                assertThat(f.fixedSize()).isBetween(8, FormatParser.MAX_RECORD_BYTES);
                assertThat(f.fields()).filteredOn(Field::isCommon).extracting(Field::name)
                        .containsExactly("common_type", "common_flags", "common_preempt_count", "common_pid");
                if (!f.warnings().isEmpty()) {
                    problems.add(Corpus.relative(file) + ": warnings " + f.warnings());
                }
                if (f.printFmt() == null || !f.printFmt().parsed()) {
                    problems.add(Corpus.relative(file) + ": print fmt not split: " + f.printFmt());
                }
            } catch (FormatException e) {
                problems.add(e.getMessage());
            }
        }
        assertThat(events).isEqualTo(2323);
        assertThat(problems).as("a real kernel capture parses without errors or warnings").isEmpty();
    }

    @Test
    void headerPageAndHeaderEventParse() throws Exception {
        EventFormat page = Corpus.parse("kernel-6.18/header_page");
        assertThat(page.fields()).extracting(Field::name).containsExactly("timestamp", "commit", "overwrite", "data");
        assertThat(page.field("commit").offset()).isEqualTo(page.field("overwrite").offset()).isEqualTo(8);
        assertThat(page.field("data").size()).isEqualTo(4080);
        assertThat(page.system()).isEmpty();
        assertThat(page.warnings()).isEmpty();

        EventFormat event = Corpus.parse("kernel-6.18/header_event");
        assertThat(event.fields()).isEmpty();
        assertThat(event.printFmt()).isNull();
        assertThat(event.warnings()).isEmpty();
    }

    @Test
    void everyFoundCaptureParsesExceptTheCorruptedOne() throws IOException {
        List<Path> files = Corpus.files("found");
        assertThat(files).hasSizeGreaterThan(20);
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            if (Corpus.relative(file).equals(CORRUPTED)) {
                continue;
            }
            try {
                EventFormat f = FormatParser.parse(file);
                assertThat(f.system()).as(Corpus.relative(file)).isNotEmpty();
                assertThat(f.fields()).as(Corpus.relative(file)).isNotEmpty();
            } catch (FormatException e) {
                failures.add(e.getMessage());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void theCorruptedNameLineIsRejectedAtLineOne() {
        assertThatThrownBy(() -> Corpus.parse(CORRUPTED))
                .isInstanceOfSatisfying(FormatException.class, e -> {
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.problem()).contains("unknown key 'ame'");
                    assertThat(e.getMessage()).startsWith(Corpus.path(CORRUPTED) + ":1: ");
                });
    }

    @Test
    void everyVariantParses() throws IOException {
        List<Path> files = Corpus.files("variants");
        assertThat(files).hasSizeGreaterThan(20);
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            try {
                EventFormat f = FormatParser.parse(file);
                assertThat(f.warnings()).as(Corpus.relative(file)).isEmpty();
                assertThat(f.printFmt().parsed()).as(Corpus.relative(file)).isTrue();
            } catch (FormatException e) {
                failures.add(e.getMessage());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void theWholeKernelCaptureParsesQuickly() throws Exception {
        List<Path> files = Corpus.files("kernel-6.18");
        List<byte[]> contents = new ArrayList<>();
        for (Path file : files) {
            contents.add(Files.readAllBytes(file));
        }
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < files.size(); i++) {
                FormatParser.parse(files.get(i).toString(), "", contents.get(i));
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        assertThat(best / 1_000_000).as("milliseconds to parse %d files", files.size()).isLessThan(2000);
    }

    @Test
    void everyLiveKernelFormatParses() throws IOException {
        if (!Files.isDirectory(LIVE_EVENTS)) {
            assertThat(System.getenv("CI")).as("CI=true, but tracefs is not mounted at " + LIVE_EVENTS
                    + " (mount -t tracefs nodev /sys/kernel/tracing)").isNotEqualToIgnoringCase("true");
            assumeTrue(false, "tracefs is not mounted at " + LIVE_EVENTS);
        }
        List<Path> formats = new ArrayList<>();
        try (DirectoryStream<Path> systems = Files.newDirectoryStream(LIVE_EVENTS, Files::isDirectory)) {
            for (Path system : systems) {
                try (DirectoryStream<Path> events = Files.newDirectoryStream(system, Files::isDirectory)) {
                    for (Path event : events) {
                        Path format = event.resolve("format");
                        if (Files.exists(format)) {
                            formats.add(format);
                        }
                    }
                }
            }
        } catch (AccessDeniedException e) {
            assumeTrue(false, "tracefs is not readable: " + e.getMessage());
        }
        assertThat(formats).isNotEmpty();
        List<String> failures = new ArrayList<>();
        for (Path format : formats) {
            try {
                EventFormat f = FormatParser.parse(format);
                assertThat(f.fullName()).isEqualTo(format.getParent().getParent().getFileName() + ":"
                        + format.getParent().getFileName());
                Path id = format.resolveSibling("id");
                if (Files.isReadable(id)) {
                    assertThat(f.id()).as(f.fullName()).isEqualTo(
                            Long.parseLong(new String(Files.readAllBytes(id), StandardCharsets.US_ASCII).strip()));
                }
            } catch (FormatException e) {
                failures.add(e.getMessage());
            }
        }
        assertThat(failures).isEmpty();
        for (String header : List.of("header_page", "header_event")) {
            Path file = LIVE_EVENTS.resolve(header);
            if (Files.isReadable(file)) {
                try {
                    assertThat(FormatParser.parse(file).name()).isEqualTo(header);
                } catch (FormatException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        assertThat(failures).isEmpty();
    }
}
