package dev.tracepoint.core.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FormatParser} on synthetic input: value tables, field forms, limits, names, robustness. */
class FormatParserTest {

    private static final String HEADER = """
            name: test_event
            ID: 42
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            """;

    /** A format file with the 8-byte common header, the given payload field lines and print fmt (none if null). */
    private static byte[] file(String printFmt, String... fieldLines) {
        StringBuilder sb = new StringBuilder(HEADER);
        for (String line : fieldLines) {
            sb.append("\tfield:").append(line).append('\n');
        }
        if (printFmt != null) {
            sb.append("\nprint fmt: ").append(printFmt).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static EventFormat parse(byte[] content) throws FormatException {
        return FormatParser.parse("test/format", "", content);
    }

    private static FormatException rejected(byte[] content) {
        try {
            parse(content);
        } catch (FormatException e) {
            return e;
        }
        throw new AssertionError("expected a FormatException");
    }

    @Test
    void symbolicTableValues() throws Exception {
        EventFormat f = parse(file("\"%s\", __print_symbolic(REC->a, { 0, \"ZERO\" }, { -1, \"MINUS\" }, { 0x10, \"HEX\" },"
                        + " { 1UL << 3, \"SHIFT\" }, { (1 << 1) | (1 << 2), \"OR\" }, { UNKNOWN, \"SKIPPED\" }, { 011, \"OCTAL\" },"
                        + " { ( unsigned long)(( gfp_t)((((1UL))) << (20))), \"CAST\" }, { 1 << 64, \"TOO_FAR\" }, { 7 / 0, \"DIV0\" },"
                        + " { 0xffffffffffffffff, \"ALL\" }, { 0x1ffffffffffffffff, \"OVERFLOW\" }, { 2, \"TW\" \"O\" })",
                "int a;\toffset:8;\tsize:4;\tsigned:1;"));
        ValueTable t = f.requireField("a").table();
        assertThat(t.kind()).isEqualTo(ValueTable.Kind.SYMBOLIC);
        assertThat(t.delimiter()).isEmpty();
        assertThat(t.asMap()).containsExactly(
                java.util.Map.entry(0L, "ZERO"), java.util.Map.entry(-1L, "MINUS"), java.util.Map.entry(16L, "HEX"),
                java.util.Map.entry(8L, "SHIFT"), java.util.Map.entry(6L, "OR"), java.util.Map.entry(9L, "OCTAL"),
                java.util.Map.entry(1L << 20, "CAST"), java.util.Map.entry(2L, "TWO"));
        assertThat(t.size()).isEqualTo(9);
        assertThat(t.nameOf(-1)).as("0xffffffffffffffff is -1 as a long; the first name wins").isEqualTo("MINUS");
    }

    @Test
    void flagTablesThroughCastsAndTernaries() throws Exception {
        EventFormat f = parse(file("\"%s %s\", REC->b ? __print_flags((unsigned long)REC->b, \" | \", {1, \"A\"}, {2, \"B\"}) : \"none\","
                        + " __print_flags_u64(REC->c, \"|\", { 1ULL << 40, \"HIGH\" })",
                "unsigned long b;\toffset:8;\tsize:8;\tsigned:0;",
                "u64 c;\toffset:16;\tsize:8;\tsigned:0;"));
        ValueTable b = f.requireField("b").table();
        assertThat(b.kind()).isEqualTo(ValueTable.Kind.FLAGS);
        assertThat(b.format(3)).isEqualTo("A | B");
        assertThat(b.format(5)).isEqualTo("A | 0x4");
        assertThat(f.requireField("c").table().format(1L << 40)).isEqualTo("HIGH");
        assertThat(f.tables()).hasSize(2);
    }

    @Test
    void derivedValuesUnknownFieldsAndLiteralsGiveNoTable() throws Exception {
        EventFormat f = parse(file("\"__print_symbolic(REC->a, { 1, \\\"IN_STRING\\\" }) %s %s %s\","
                        + " __print_symbolic(REC->a & 0xff, { 1, \"MASKED\" }), __print_symbolic(REC->nope, { 1, \"X\" }),"
                        + " __print_symbolic(3, { 3, \"CONSTANT\" })",
                "int a;\toffset:8;\tsize:4;\tsigned:1;"));
        assertThat(f.tables()).isEmpty();
        assertThat(f.printFmt().parsed()).isTrue();
    }

    @Test
    void theFirstTableOfAFieldWins() throws Exception {
        EventFormat f = parse(file("\"%s %s\", __print_symbolic(REC->a, { 1, \"FIRST\" }), __print_symbolic(REC->a, { 1, \"SECOND\" })",
                "int a;\toffset:8;\tsize:4;\tsigned:1;"));
        assertThat(f.requireField("a").table().nameOf(1)).isEqualTo("FIRST");
    }

    @Test
    void arrayElementSizes() throws Exception {
        EventFormat f = parse(file("\"x\"",
                "u32 vals[4];\toffset:8;\tsize:16;\tsigned:0;",
                "char name[NAME_LEN];\toffset:24;\tsize:8;\tsigned:0;",
                "unsigned long words[WORDS];\toffset:32;\tsize:32;\tsigned:0;",
                "struct opaque blob[2];\toffset:64;\tsize:24;\tsigned:0;",
                "u64 odd[3];\toffset:88;\tsize:20;\tsigned:0;",
                "__data_loc unsigned int[] lengths;\toffset:108;\tsize:4;\tsigned:0;",
                "__data_loc struct opaque[] things;\toffset:112;\tsize:4;\tsigned:0;"));
        assertArray(f.requireField("vals"), "u32[4]", 4, 4);
        assertArray(f.requireField("name"), "char[NAME_LEN]", 1, 8);
        assertArray(f.requireField("words"), "unsigned long[WORDS]", 8, 4);
        assertArray(f.requireField("blob"), "struct opaque[2]", 12, 2);
        assertArray(f.requireField("odd"), "u64[3]", 1, 20);
        assertThat(f.warnings()).singleElement().asString().contains("array 'odd' declares 3 elements");
        assertThat(f.requireField("lengths").elementSize()).isEqualTo(4);
        assertThat(f.requireField("things").elementSize()).isEqualTo(1);
    }

    /** A uprobe's format as this kernel writes it: packed fields, a fetched array 'u32 arr[]' with a size, strings signed:1. */
    @Test
    void probeEventFormats() throws Exception {
        EventFormat f = parse(file("\"(%lx) a=%u b=%d c=%d d=%llu arr={%u,%u,%u,%u} s=\\\"%s\\\"\", REC->__probe_ip, REC->a, REC->b, REC->c, REC->d,"
                        + " REC->arr[0], REC->arr[1], REC->arr[2], REC->arr[3], __get_str(s)",
                "unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;",
                "u8 a;\toffset:16;\tsize:1;\tsigned:0;",
                "s16 b;\toffset:17;\tsize:2;\tsigned:1;",
                "s32 c;\toffset:19;\tsize:4;\tsigned:1;",
                "u64 d;\toffset:23;\tsize:8;\tsigned:0;",
                "u32 arr[];\toffset:31;\tsize:16;\tsigned:0;",
                "__data_loc char[] s;\toffset:47;\tsize:4;\tsigned:1;",
                "__data_loc char[][2] sa;\toffset:51;\tsize:8;\tsigned:1;"));
        assertThat(f.warnings()).isEmpty();
        assertThat(f.requireField("b").offset()).isEqualTo(17);
        assertThat(f.requireField("b").signed()).isTrue();
        assertThat(f.requireField("d").offset()).isEqualTo(23);
        assertArray(f.requireField("arr"), "u32[]", 4, 4);
        assertThat(f.requireField("s").kind()).isEqualTo(FieldKind.DATA_LOC);
        assertThat(f.requireField("s").isString()).isTrue();
        assertThat(f.requireField("sa").kind()).isEqualTo(FieldKind.DATA_LOC);
        assertThat(f.requireField("sa").arrayLength()).isEqualTo(2);
        assertThat(f.requireField("sa").size()).isEqualTo(8);
    }

    private static void assertArray(Field f, String type, int elementSize, int length) {
        assertThat(f.kind()).isEqualTo(FieldKind.ARRAY);
        assertThat(f.type()).isEqualTo(type);
        assertThat(f.elementSize()).as(f.name() + " element size").isEqualTo(elementSize);
        assertThat(f.arrayLength()).as(f.name() + " length").isEqualTo(length);
    }

    @Test
    void signednessIsInferredFromTheTypeWhenAbsent() throws Exception {
        EventFormat f = parse(file("\"x\"",
                "unsigned a;\toffset:8;\tsize:4;",
                "u16 b;\toffset:12;\tsize:2;",
                "__u8 c;\toffset:14;\tsize:1;",
                "bool d;\toffset:15;\tsize:1;",
                "void * e;\toffset:16;\tsize:8;",
                "size_t f;\toffset:24;\tsize:8;",
                "char g;\toffset:32;\tsize:1;",
                "long h;\toffset:40;\tsize:8;",
                "const int i;\toffset:48;\tsize:4;"));
        assertThat(f.payloadFields()).extracting(Field::signed)
                .containsExactly(false, false, false, false, false, false, true, true, true);
        assertThat(f.warnings()).as("the common fields have signed:, the payload does not").singleElement()
                .asString().contains("no signed:");
    }

    @Test
    void whitespaceVariants() throws Exception {
        String text = "name:   spaced\nID:7\nformat:\n"
                + "  field:unsigned  short   common_type; offset:0;size:2;signed:0;\n"
                + "\t\tfield:int   x;\t\t\toffset:4;   size:4;\t signed:1 ;\n"
                + "print fmt:\"x=%d\",REC->x\n";
        EventFormat f = FormatParser.parse("spaced", "", text.getBytes(StandardCharsets.UTF_8));
        assertThat(f.name()).isEqualTo("spaced");
        assertThat(f.requireField("common_type").type()).isEqualTo("unsigned short");
        assertThat(f.requireField("x").offset()).isEqualTo(4);
        assertThat(f.printFmt().args()).containsExactly("REC->x");
    }

    @Test
    void theSystemComesFromTheSystemLineThenTheCallerThenThePath(@TempDir Path dir) throws Exception {
        byte[] plain = file("\"x\"");
        assertThat(FormatParser.parse("f", "given", plain).system()).isEqualTo("given");
        byte[] withLine = ("system: fromline\n" + new String(plain, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThat(FormatParser.parse("f", "given", withLine).system()).isEqualTo("fromline");

        Path nested = Files.createDirectories(dir.resolve("mysys").resolve("test_event")).resolve("format");
        Files.write(nested, plain);
        assertThat(FormatParser.parse(nested).fullName()).isEqualTo("mysys:test_event");
        Path flat = dir.resolve("mysys").resolve("test_event.format");
        Files.write(flat, plain);
        assertThat(FormatParser.parse(flat).system()).isEqualTo("mysys");
        Path unrelated = Files.createDirectories(dir.resolve("other")).resolve("format");
        Files.write(unrelated, plain);
        assertThat(FormatParser.parse(unrelated).system()).isEmpty();
    }

    @Test
    void headerFilesAreRecognisedByNameOrContent() throws Exception {
        byte[] page = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:16;\tsize:65520;\tsigned:0;\n"
                .getBytes(StandardCharsets.US_ASCII);
        EventFormat byContent = FormatParser.parse("captured-page-header.txt", "", page);
        assertThat(byContent.name()).isEqualTo("header_page");
        assertThat(byContent.id()).isEqualTo(-1);
        assertThat(byContent.requireField("data").size()).as("64 KiB pages").isEqualTo(65520);

        byte[] event = "# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(FormatParser.parse("x", "", event).name()).isEqualTo("header_event");
        assertThat(FormatParser.parse("tracing/events/header_event", "", "\tanything : goes\n".getBytes(StandardCharsets.US_ASCII))
                .fields()).isEmpty();
    }

    @Test
    void idLimits() throws Exception {
        assertThat(parse(withId("4294967295")).id()).isEqualTo(4294967295L);
        assertThat(rejected(withId("4294967296")).problem()).contains("out of range");
        assertThat(rejected(withId("-5")).problem()).contains("negative");
        assertThat(rejected(withId("0x10")).problem()).contains("not a number");
        assertThat(rejected(withId("")).problem()).contains("empty ID");
    }

    private static byte[] withId(String id) {
        return new String(file("\"x\""), StandardCharsets.UTF_8).replace("ID: 42", "ID: " + id).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void malformedFieldLines() {
        assertThat(rejected(file(null, "int x offset:8;")).problem()).contains("cannot find a field name");
        assertThat(rejected(file(null, "int x")).problem()).contains("no ';' after the declaration");
        assertThat(rejected(file(null, "int x;\toffset:8;\tsize:4;\tsigned:1;\toffset:8;")).problem())
                .contains("two 'offset:' attributes");
        assertThat(rejected(file(null, "int x;\toffset:eight;\tsize:4;")).problem()).contains("not a number");
        assertThat(rejected(file(null, "int x;\toffset:99999999999;\tsize:4;")).problem()).contains("out of range");
        assertThat(rejected(file(null, "int x;\toffset:8;\tsize:4;\tjunk;")).problem()).contains("not key:value");
        assertThat(rejected(file(null, "int x];\toffset:8;\tsize:4;")).problem()).contains("unbalanced ']'");
        assertThat(rejected(file(null, "__data_loc char[] s;\toffset:8;\tsize:2;")).problem())
                .contains("__data_loc field 's' has size 2");
        assertThat(rejected(file(null, "__data_loc char s[8];\toffset:8;\tsize:4;")).problem()).contains("fixed length");
        assertThat(rejected(file(null, "__rel_loc s;\toffset:8;\tsize:4;")).problem()).contains("has no type");
        assertThat(rejected(file(null, "char s[16];\toffset:8;\tsize:0;")).problem()).contains("size 0");
        FormatException e = rejected(file(null, "int x;\toffset:8;\tsize:4;", "int y;\toffset:10;\tsize:4;"));
        assertThat(e.line()).isEqualTo(10);
        assertThat(e.problem()).isEqualTo("y [10,14) overlaps x [8,12)");
    }

    @Test
    void structuralErrors() {
        String good = new String(file("\"x\"", "int x;\toffset:8;\tsize:4;\tsigned:1;"), StandardCharsets.UTF_8);
        assertThat(rejected((good + "print fmt: \"y\"\n").getBytes(StandardCharsets.UTF_8)).problem())
                .contains("second 'print fmt:'");
        assertThat(rejected((good + "\tfield:int z;\toffset:12;\tsize:4;\n").getBytes(StandardCharsets.UTF_8)).problem())
                .contains("field line after 'print fmt:'");
        assertThat(rejected(good.replace("ID: 42\n", "ID: 42\nname: again\n").getBytes(StandardCharsets.UTF_8)).problem())
                .contains("second 'name:' line (the first is line 1)");
        assertThat(rejected(good.replace("format:\n", "format:\nID: 3\n").getBytes(StandardCharsets.UTF_8)).problem())
                .contains("second 'ID:' line");
        assertThat(rejected("name: x\nID: 1\n".getBytes(StandardCharsets.UTF_8)).problem()).isEqualTo("no 'format:' line");
        assertThat(rejected("name: x\nID: 1\nformat:\n\nprint fmt: \"x\"\n".getBytes(StandardCharsets.UTF_8)).problem())
                .contains("declares no fields");
        assertThat(rejected("name: x\nID: 1\nprint fmt: \"x\"\n".getBytes(StandardCharsets.UTF_8)).problem())
                .contains("before the 'format:' line");
        assertThat(rejected("name: two words\n".getBytes(StandardCharsets.UTF_8)).problem()).contains("whitespace");
        assertThat(rejected("just text\n".getBytes(StandardCharsets.UTF_8)).problem()).contains("unexpected line");
        assertThat(rejected(" \n\t\r\n".getBytes(StandardCharsets.UTF_8)).problem()).isEqualTo("empty format file");
    }

    @Test
    void sizeLimits(@TempDir Path dir) throws IOException {
        FormatException big = rejected(new byte[FormatParser.MAX_FILE_BYTES + 1]);
        assertThat(big.line()).isZero();
        assertThat(big.problem()).contains("4 MiB");

        Path sparse = dir.resolve("format");
        try (RandomAccessFile raf = new RandomAccessFile(sparse.toFile(), "rw")) {
            raf.setLength(1L << 30);
        }
        assertThatThrownBy(() -> FormatParser.parse(sparse)).isInstanceOfSatisfying(FormatException.class,
                e -> assertThat(e.problem()).contains("1073741824 bytes, larger than the 4 MiB limit"));

        String longLine = "print fmt: \"" + "x".repeat(FormatParser.MAX_LINE_BYTES) + "\"\n";
        FormatException tooLong = rejected((new String(file(null, "int x;\toffset:8;\tsize:4;"), StandardCharsets.UTF_8)
                + longLine).getBytes(StandardCharsets.UTF_8));
        assertThat(tooLong.line()).isEqualTo(10);
        assertThat(tooLong.problem()).contains("over the 1 MiB limit");
    }

    @Test
    void aLongLineJustUnderTheLimitParses() throws Exception {
        StringBuilder fmt = new StringBuilder("\"%s\", __print_symbolic(REC->x");
        for (int i = 0; fmt.length() < FormatParser.MAX_LINE_BYTES - 100; i++) {
            fmt.append(", { ").append(i).append(", \"N").append(i).append("\" }");
        }
        fmt.append(')');
        EventFormat f = parse(file(fmt.toString(), "int x;\toffset:8;\tsize:4;\tsigned:1;"));
        assertThat(f.requireField("x").table().size()).isGreaterThan(40_000);
    }

    /** Mutated files either parse or fail with a FormatException: never another exception, never a hang. */
    @Test
    void randomCorruptionNeverEscapesAsAnUncheckedException() throws Exception {
        byte[] base = Files.readAllBytes(Corpus.path("kernel-6.18/skb/kfree_skb/format"));
        byte[] alphabet = "\t\n\r ;:[](){}\",'\\-0123456789abxREC->field__data_loc__rel_loc*\0\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        Random random = new Random(20251125L);
        int accepted = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] mutated = base.clone();
            int mutations = 1 + random.nextInt(8);
            for (int m = 0; m < mutations; m++) {
                switch (random.nextInt(3)) {
                    case 0 -> mutated[random.nextInt(mutated.length)] = alphabet[random.nextInt(alphabet.length)];
                    case 1 -> mutated = java.util.Arrays.copyOf(mutated, random.nextInt(mutated.length) + 1);
                    default -> {
                        int at = random.nextInt(mutated.length);
                        byte[] longer = new byte[mutated.length + 1];
                        System.arraycopy(mutated, 0, longer, 0, at);
                        longer[at] = alphabet[random.nextInt(alphabet.length)];
                        System.arraycopy(mutated, at, longer, at + 1, mutated.length - at);
                        mutated = longer;
                    }
                }
            }
            try {
                FormatParser.parse("mutant", "skb", mutated);
                accepted++;
            } catch (FormatException e) {
                assertThat(e.problem()).doesNotContain("internal parser error");
                assertThat(e.line()).isNotNegative();
            }
        }
        assertThat(accepted).isPositive();
    }
}
