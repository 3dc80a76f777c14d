package dev.tracepoint.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tracepoint.core.decode.DecodeException;
import dev.tracepoint.core.decode.EventReader;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FieldKind;
import dev.tracepoint.core.format.FormatException;
import dev.tracepoint.core.format.FormatParser;
import dev.tracepoint.core.internal.perf.PerfMmapPageDescriptor;
import dev.tracepoint.core.internal.ring.PerfRing;
import dev.tracepoint.core.internal.ring.RecordHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the whole format corpus (every real 6.18 file, the found and reconstructed ones, the adversarial
 * ones), truncations and bit flips of each, and every committed input of the three fuzz targets, outside
 * Jazzer. Jazzer's own regression run (plain {@code mvn test}) only checks that no input makes a target
 * throw; this test checks that each input has the outcome its kind implies: real formats parse, the
 * {@code bad/} files get their {@code bad/README.md} verdict with a {@link FormatException} that names the
 * file and line, a truncated format never yields a layout the whole file does not have, well-formed samples
 * decode, rings drain into the records their headers describe. It also checks that Jazzer finds the
 * committed inputs at all (a renamed target would replay nothing) and that they are the ones
 * {@link SeedWriter} writes from the current corpus.
 */
class CorpusReplayTest {

    /** A real capture whose first line lost its 'n' ("ame: sched_process_wait"): rejected, see the README. */
    static final String CORRUPTED = "found/haskell-linux-perf-2012-x86_64/sched/sched_process_wait/format";

    /** The fuzz targets; their committed inputs are in {@code <class>Inputs/<method>/} next to them. */
    static final List<Class<?>> TARGETS = List.of(FormatParserFuzzTest.class, EventViewFuzzTest.class, PerfRingFuzzTest.class,
            RingWalksFuzzTest.class);

    static Path corpusRoot() {
        Path root = Path.of(System.getProperty("tracepoint.corpus", "../testdata/corpus"));
        assertThat(root).as("format corpus (system property tracepoint.corpus)").isDirectory();
        return root;
    }

    /** @return every corpus file (not the Markdown), by its path relative to the root with '/' separators */
    static Map<String, Path> corpusFiles() throws IOException {
        Path root = corpusRoot();
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".md"))
                    .forEach(p -> files.put(root.relativize(p).toString().replace('\\', '/'), p));
        }
        return files;
    }

    /** @return for each {@code bad/} file, whether {@code bad/README.md} says REJECT (else ACCEPT) */
    static Map<String, Boolean> badVerdicts() throws IOException {
        String readme = Files.readString(corpusRoot().resolve("bad/README.md"), StandardCharsets.UTF_8);
        Matcher row = Pattern.compile("^\\| `([^`]+)` \\| (REJECT|ACCEPT)", Pattern.MULTILINE).matcher(readme);
        Map<String, Boolean> verdicts = new HashMap<>();
        while (row.find()) {
            verdicts.put("bad/" + row.group(1), row.group(2).equals("REJECT"));
        }
        return verdicts;
    }

    /** @return whether a corpus file must parse: everything but the REJECT files of bad/ and the corrupted capture */
    static boolean mustParse(String relative, Map<String, Boolean> badVerdicts) {
        if (relative.startsWith("bad/")) {
            Boolean reject = badVerdicts.get(relative);
            assertThat(reject).as("verdict for " + relative + " in bad/README.md").isNotNull();
            return !reject;
        }
        return !relative.equals(CORRUPTED);
    }

    /**
     * Parses {@code content} and checks the outcome: a format when {@code mustParse}, else a FormatException
     * that names {@code source} and a line of the content. Adds what is wrong to {@code problems}.
     *
     * @return the format, or null when it was rejected
     */
    static EventFormat parse(String what, String source, byte[] content, boolean mustParse, List<String> problems) {
        try {
            EventFormat f = FormatParser.parse(source, "", content);
            if (!mustParse) {
                problems.add(what + ": accepted, but must be rejected");
            }
            return f;
        } catch (FormatException e) {
            if (mustParse) {
                problems.add(what + ": must parse, but: " + e.getMessage());
            } else if (!source.equals(e.source()) || e.line() < 0 || e.line() > lines(content)
                    || e.problem() == null || e.problem().isBlank()
                    || !e.getMessage().equals(source + ":" + e.line() + ": " + e.problem())) {
                problems.add(what + ": rejected without naming the file, a line of its " + lines(content)
                        + " and the problem: source=" + e.source() + ", line=" + e.line() + ", message=" + e.getMessage());
            }
            return null;
        }
    }

    /** @return the number of lines of a file, counting a last one without a newline */
    static int lines(byte[] content) {
        int n = 1;
        for (byte b : content) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------ corpus

    @Test
    void everyCorpusFileHasTheOutcomeOfItsKindAndItsMutationsPassTheParserChecks() throws IOException {
        Map<String, Path> files = corpusFiles();
        Map<String, Boolean> verdicts = badVerdicts();
        assertThat(files).hasSizeGreaterThan(2000);
        assertThat(files.keySet().stream().filter(f -> f.startsWith("bad/")))
                .as("the bad/ files are those bad/README.md gives a verdict for")
                .containsExactlyInAnyOrderElementsOf(verdicts.keySet());
        List<String> problems = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(20261125);
        int acceptedCuts = 0;
        int rejectedCuts = 0;
        for (Map.Entry<String, Path> e : files.entrySet()) {
            String relative = e.getKey();
            byte[] b = Files.readAllBytes(e.getValue());
            FuzzChecks.formatParser(b);
            EventFormat whole = parse(relative, relative, b, mustParse(relative, verdicts), problems);

            byte[] cut = Arrays.copyOf(b, random.nextInt(b.length + 1));
            FuzzChecks.formatParser(cut);
            if (whole != null) {
                // a truncated file is rejected, or loses fields at the end; it never gains or changes one
                EventFormat part = parse(relative + " cut to " + cut.length + " bytes", relative, cut, true, new ArrayList<>());
                if (part == null) {
                    rejectedCuts++;
                } else {
                    acceptedCuts++;
                    String why = prefixProblem(whole, part);
                    if (why != null) {
                        problems.add(relative + " cut to " + cut.length + " of " + b.length + " bytes: " + why);
                    }
                }
            }

            byte[] flipped = b.clone();
            for (int i = 0; i < 4 && flipped.length > 0; i++) {
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
            }
            FuzzChecks.formatParser(flipped);
        }
        assertThat(problems).as("corpus files without the outcome of their kind").isEmpty();
        // both outcomes of a truncation occur, so the prefix check above is not vacuous
        assertThat(acceptedCuts).as("truncated files that parsed").isPositive();
        assertThat(rejectedCuts).as("truncated files that were rejected").isPositive();
    }

    /** @return why {@code part} (a truncation of the file {@code whole} came from) is not a prefix of it, or null */
    static String prefixProblem(EventFormat whole, EventFormat part) {
        if (!whole.name().equals(part.name()) || whole.id() != part.id()) {
            return "event " + part.name() + " id " + part.id() + ", the whole file " + whole.name() + " id " + whole.id();
        }
        List<Field> all = whole.fields();
        List<Field> kept = part.fields();
        if (kept.size() > all.size()) {
            return kept.size() + " fields, the whole file " + all.size();
        }
        for (int i = 0; i < kept.size(); i++) {
            Field k = kept.get(i);
            Field w = all.get(i);
            if (!k.name().equals(w.name()) || k.offset() != w.offset() || k.size() != w.size() || k.kind() != w.kind()) {
                return "field " + i + " is " + k + ", in the whole file " + w;
            }
        }
        return null;
    }

    // --------------------------------------------------------------------------------- committed inputs

    /** @return the committed input directory of a fuzz target method, as Jazzer looks it up on the class path */
    static Path inputs(Class<?> target, String method) {
        URL url = target.getResource(target.getSimpleName() + "Inputs/" + method);
        assertThat(url).as("committed inputs of " + target.getSimpleName() + "." + method
                + " (Jazzer replays " + target.getSimpleName() + "Inputs/" + method + "/ next to the class)").isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(url.toString(), e);
        }
    }

    /** @return the fuzz test methods of a target, found without initialising the class (which loosens FuzzChecks) */
    static List<String> fuzzMethods(Class<?> target) {
        return Arrays.stream(target.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(FuzzTest.class))
                .map(Method::getName).sorted().toList();
    }

    static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void everyFuzzTargetFindsItsCommittedInputsAndNoInputIsOrphaned() throws IOException {
        Path base = inputs(TARGETS.getFirst(), fuzzMethods(TARGETS.getFirst()).getFirst()).getParent().getParent();
        List<String> expected = new ArrayList<>();
        for (Class<?> target : TARGETS) {
            List<String> methods = fuzzMethods(target);
            assertThat(methods).as(target.getSimpleName() + " fuzz tests").hasSize(1);
            for (String m : methods) {
                assertThat(filesIn(inputs(target, m))).as("inputs of " + target.getSimpleName() + "." + m).isNotEmpty();
                expected.add(target.getSimpleName() + "Inputs/" + m);
            }
        }
        List<String> present = new ArrayList<>();
        try (Stream<Path> s = Files.list(base)) {
            for (Path d : s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().endsWith("Inputs")).toList()) {
                try (Stream<Path> m = Files.list(d)) {
                    m.filter(Files::isDirectory).forEach(x -> present.add(d.getFileName() + "/" + x.getFileName()));
                }
            }
        }
        assertThat(present).as("input directories, each replayed by a fuzz target").containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theCommittedSeedsAreTheOnesSeedWriterWrites(@TempDir Path dir) throws IOException {
        SeedWriter.writeParserSeeds(corpusRoot(), dir.resolve("parse"));
        SeedWriter.writeRingSeeds(dir.resolve("drain"));
        SeedWriter.writeWalkSeeds(dir.resolve("walks"));
        SeedWriter.writeDecoderSeeds(dir.resolve("decode"));
        for (Class<?> target : TARGETS) {
            String method = fuzzMethods(target).getFirst();
            Map<String, byte[]> written = new TreeMap<>();
            for (Path p : filesIn(dir.resolve(method))) {
                written.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
            Map<String, byte[]> committed = new TreeMap<>();
            for (Path p : filesIn(inputs(target, method))) {
                if (p.getFileName().toString().startsWith("seed-")) { // Jazzer's findings (crash-*) stay as found
                    committed.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
            assertThat(committed.keySet()).as(target.getSimpleName() + " seeds (run SeedWriter when the corpus or its layouts change)")
                    .containsExactlyElementsOf(written.keySet());
            for (String name : written.keySet()) {
                assertThat(committed.get(name)).as(target.getSimpleName() + " seed " + name + " is stale; run SeedWriter")
                        .isEqualTo(written.get(name));
            }
        }
    }

    @Test
    void everyParserInputHasTheOutcomeOfTheCorpusFileItCopies() throws IOException {
        Map<String, Boolean> verdicts = badVerdicts();
        Map<String, String> seedToCorpus = new HashMap<>();
        for (String relative : corpusFiles().keySet()) {
            seedToCorpus.put("seed-" + relative.replace('/', '_'), relative);
        }
        List<String> problems = new ArrayList<>();
        TreeSet<String> kinds = new TreeSet<>();
        int rejected = 0;
        for (Path p : filesIn(inputs(FormatParserFuzzTest.class, "parse"))) {
            String name = p.getFileName().toString();
            byte[] b = Files.readAllBytes(p);
            FuzzChecks.formatParser(b);
            if (!name.startsWith("seed-")) {
                continue; // a finding of Jazzer's: passing the checks above is its outcome
            }
            String relative = seedToCorpus.get(name);
            if (relative == null) {
                problems.add(name + ": copies no corpus file");
                continue;
            }
            kinds.add(relative.substring(0, relative.indexOf('/')));
            boolean mustParse = mustParse(relative, verdicts);
            rejected += mustParse ? 0 : 1;
            // named like the corpus file, so a rejection must name that
            parse(name + " (" + relative + ")", relative, b, mustParse, problems);
        }
        assertThat(problems).as("parser inputs without the outcome of their corpus file").isEmpty();
        assertThat(kinds).as("corpus directories the seeds come from").containsExactly("bad", "found", "kernel-6.18", "variants");
        assertThat(rejected).as("seeds that must be rejected").isPositive();
    }

    @Test
    void everyDecoderInputDecodesOrFailsOnlyWithDecodeException() throws IOException {
        List<EventFormat> layouts = FuzzChecks.Layouts.DECODE;
        Map<String, Integer> layoutByName = new HashMap<>();
        for (int i = 0; i < layouts.size(); i++) {
            layoutByName.put(layouts.get(i).name(), i);
        }
        List<String> problems = new ArrayList<>();
        TreeSet<String> whole = new TreeSet<>();
        TreeSet<String> cut = new TreeSet<>();
        for (Path p : filesIn(inputs(EventViewFuzzTest.class, "decode"))) {
            String name = p.getFileName().toString();
            byte[] b = Files.readAllBytes(p);
            FuzzChecks.decoder(b); // in bounds or DecodeException, for every input
            if (!name.startsWith("seed-")) {
                continue;
            }
            boolean isCut = name.endsWith("-cut");
            String layout = name.substring("seed-".length(), name.length() - (isCut ? "-cut".length() : 0));
            Integer index = layoutByName.get(layout);
            if (index == null || b.length == 0 || (b[0] & 0xff) % layouts.size() != index) {
                problems.add(name + ": does not select the layout " + layout + " (byte 0 picks one of " + layoutByName + ")");
                continue;
            }
            EventFormat format = layouts.get(index);
            (isCut ? cut : whole).add(layout);
            String problem = isCut ? decodeCut(format, b) : decodeWellFormed(format, b, index);
            if (problem != null) {
                problems.add(name + ": " + problem);
            }
        }
        assertThat(problems).as("decoder inputs without the outcome of their kind").isEmpty();
        assertThat(whole).as("well-formed samples, one per layout").containsExactlyInAnyOrderElementsOf(layoutByName.keySet());
        assertThat(cut).as("cut samples, one per layout").containsExactlyInAnyOrderElementsOf(layoutByName.keySet());
    }

    /** A well-formed sample (see {@link SeedWriter#raw}): every field reads, dynamic strings are the ones written. */
    static String decodeWellFormed(EventFormat format, byte[] in, int seed) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sample = sample(arena, in);
            try {
                EventView view = new EventReader().read(format, sample, 0, (int) sample.byteSize());
                for (Field f : format.fields()) {
                    Object v = view.value(f);
                    boolean text = f.isString() && (f.kind() == FieldKind.DATA_LOC || f.kind() == FieldKind.REL_LOC);
                    if (text && !("/usr/bin/x" + seed).equals(v)) {
                        return "field " + f.name() + " is " + v + ", written as /usr/bin/x" + seed;
                    }
                }
                if (view.copy().toString() == null || view.toString() == null) {
                    return "no text";
                }
            } catch (DecodeException e) {
                return "a well-formed sample does not decode: " + e.getMessage();
            }
        }
        return null;
    }

    /** A sample cut short: refused when shorter than the fixed part, else only reads past its end fail. */
    static String decodeCut(EventFormat format, byte[] in) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sample = sample(arena, in);
            int length = (int) sample.byteSize();
            EventView view;
            try {
                view = new EventReader().read(format, sample, 0, length);
            } catch (DecodeException e) {
                return length < format.fixedSize() ? null : "a sample of " + length + " bytes, fixed part "
                        + format.fixedSize() + ", refused: " + e.getMessage();
            }
            if (length < format.fixedSize()) {
                return "a sample of " + length + " bytes accepted, shorter than the fixed part of " + format.fixedSize();
            }
            for (Field f : format.fields()) {
                if (f.kind() == FieldKind.SCALAR || f.kind() == FieldKind.POINTER || f.kind() == FieldKind.ARRAY) {
                    try {
                        view.value(f); // in the fixed part, which is whole
                    } catch (DecodeException e) {
                        return "field " + f.name() + " of the fixed part does not read: " + e.getMessage();
                    }
                }
            }
        }
        return null;
    }

    /** @return the sample of a decoder input (its bytes after byte 0), in a segment exactly that long */
    static MemorySegment sample(Arena arena, byte[] in) {
        int length = in.length - 1;
        MemorySegment sample = arena.allocate(Math.max(1, length), 1).asSlice(0, length);
        MemorySegment.copy(MemorySegment.ofArray(in), 1, sample, 0, length);
        return sample;
    }

    @Test
    void everyRingInputDrainsIntoTheRecordsItsHeadersDescribe() throws IOException {
        List<String> problems = new ArrayList<>();
        TreeSet<String> kinds = new TreeSet<>();
        int records = 0;
        for (Path p : filesIn(inputs(PerfRingFuzzTest.class, "drain"))) {
            byte[] b = Files.readAllBytes(p);
            FuzzChecks.ring(b); // the ring target's own checks, through the dispatcher
            if (b.length < 19) {
                continue; // too short to be a ring: the target ignores it
            }
            RingModel expected = RingModel.of(b);
            kinds.add(expected.kind());
            records += expected.records();
            String drained = drain(b);
            if (!drained.equals(expected.outcome())) {
                problems.add(p.getFileName() + " (" + expected.kind() + "): drained " + drained + ", expected " + expected.outcome());
            }
        }
        assertThat(problems).as("ring inputs that did not drain as their headers describe").isEmpty();
        assertThat(kinds).as("kinds of committed ring inputs").contains("empty", "well-formed", "bad record size", "bad data_head");
        assertThat(records).as("records in the committed ring inputs").isPositive();
    }

    /**
     * What a ring input holds, read the way the kernel writes a ring (see {@link FuzzChecks#ring} for the input
     * layout): records whose headers tile {@code [data_tail, data_head)}, until a size that cannot be right.
     */
    record RingModel(String kind, int records, int corruptions) {

        String outcome() {
            return records + " records, " + corruptions + " corruption reports";
        }

        static RingModel of(byte[] in) {
            int capacity = 8 << ((in[0] & 0xff) % 14);
            long tail = FuzzChecks.longAt(in, 2);
            long headWord = FuzzChecks.longAt(in, 10);
            long head = (in[1] & 1) != 0 ? tail + Long.remainderUnsigned(headWord, 2L * capacity + 1) : headWord;
            byte[] data = Arrays.copyOfRange(in, 19, 19 + capacity); // zero-filled past the input
            if (Long.compareUnsigned(head - tail, capacity) > 0) {
                return new RingModel("bad data_head", 0, 1);
            }
            int records = 0;
            for (long pos = tail; pos != head; ) {
                int size = (data[(int) ((pos + 6) & (capacity - 1))] & 0xff)
                        | (data[(int) ((pos + 7) & (capacity - 1))] & 0xff) << 8;
                if (size < 8 || size % 8 != 0 || size > capacity || size > head - pos) {
                    return new RingModel("bad record size", records, 1);
                }
                records++;
                pos += size;
            }
            return new RingModel(records == 0 ? "empty" : "well-formed", records, 0);
        }
    }

    /** Drains a ring input to its end, as the target does, and tells how many records and reports came out. */
    static String drain(byte[] in) {
        int capacity = 8 << ((in[0] & 0xff) % 14);
        long tail = FuzzChecks.longAt(in, 2);
        long headWord = FuzzChecks.longAt(in, 10);
        long head = (in[1] & 1) != 0 ? tail + Long.remainderUnsigned(headWord, 2L * capacity + 1) : headWord;
        int limit = (in[18] & 0xff) % 5 == 0 ? Integer.MAX_VALUE : 1 + (in[18] & 0xff) % 7;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment meta = arena.allocate(PerfMmapPageDescriptor.LENGTH, 4096);
            MemorySegment data = arena.allocate(capacity, 4096);
            MemorySegment.copy(MemorySegment.ofArray(in), 19, data, 0, Math.min(capacity, in.length - 19));
            meta.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_TAIL_OFFSET, tail);
            meta.set(ValueLayout.JAVA_LONG, PerfMmapPageDescriptor.DATA_HEAD_OFFSET, head);
            int[] counts = new int[2];
            RecordHandler count = new RecordHandler() {
                @Override
                public void onRecord(int cpu, MemorySegment segment, long offset, int type, int misc, int size) {
                    counts[0]++;
                }

                @Override
                public void onCorruption(int cpu, String problem, long skippedBytes) {
                    counts[1]++;
                }
            };
            try (PerfRing ring = new PerfRing(0, meta, data)) {
                for (int rounds = 0; ring.drain(count, limit) > 0 && rounds <= capacity / 8; rounds++) {
                    // until the ring is empty
                }
            }
            return counts[0] + " records, " + counts[1] + " corruption reports";
        }
    }
}
