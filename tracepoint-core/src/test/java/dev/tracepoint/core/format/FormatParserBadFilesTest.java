package dev.tracepoint.core.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Every adversarial file of {@code bad/} gets the outcome its README line describes. */
class FormatParserBadFilesTest {

    /** What the parser does with one bad file: reject at a line with a key word, or accept. */
    private record Outcome(boolean reject, int line, String keyword) {

        static Outcome reject(int line, String keyword) {
            return new Outcome(true, line, keyword);
        }

        static Outcome accept(String warning) {
            return new Outcome(false, -1, warning);
        }
    }

    private static final Map<String, Outcome> EXPECTED = expected();

    private static Map<String, Outcome> expected() {
        Map<String, Outcome> m = new LinkedHashMap<>();
        m.put("01-empty.format", Outcome.reject(0, "empty format file"));
        m.put("02-missing-format-header.format", Outcome.reject(3, "before the 'format:' line"));
        m.put("03-missing-name.format", Outcome.reject(2, "no 'name:' line"));
        m.put("04-missing-id.format", Outcome.reject(2, "no 'ID:' line"));
        m.put("06-id-overflow.format", Outcome.reject(2, "out of range"));
        m.put("07-truncated-mid-line.format", Outcome.reject(14, "truncated"));
        m.put("08-truncated-no-print-fmt.format", Outcome.accept("no print fmt"));
        m.put("09-missing-offset.format", Outcome.reject(9, "field 'sig' has no offset"));
        m.put("10-missing-size.format", Outcome.reject(9, "field 'sig' has no size"));
        m.put("11-missing-signed-one-line.format", Outcome.accept("no signed:"));
        m.put("13-scalar-size-mismatch.format", Outcome.accept("'int' (4 bytes) but has size 8"));
        m.put("14-overlapping-fields.format", Outcome.reject(11, "code [14,18) overlaps errno [12,16)"));
        m.put("15-offset-beyond-record.format", Outcome.reject(9, "65535"));
        m.put("16-negative-offset.format", Outcome.reject(9, "negative offset"));
        m.put("18-signed-not-boolean.format", Outcome.reject(9, "must be 0 or 1"));
        m.put("19-duplicate-field-names.format", Outcome.reject(14, "duplicate field name 'pid' (lines 13 and 14)"));
        m.put("21-non-utf8-in-print-fmt.format", Outcome.accept("ISO-8859-1"));
        m.put("22-embedded-nul.format", Outcome.reject(11, "NUL"));
        m.put("23-very-long-print-fmt-line.format", Outcome.accept(null));
        m.put("25-print-fmt-unbalanced-parens.format", Outcome.accept("print fmt not split"));
        m.put("26-print-fmt-unterminated-string.format", Outcome.accept("unterminated string"));
        m.put("28-data-loc-weird-types.format", Outcome.accept(null));
        m.put("29-rel-loc-size-2.format", Outcome.reject(9, "__rel_loc field 's' has size 2"));
        m.put("30-crlf-line-endings.format", Outcome.accept(null));
        m.put("32-unknown-extra-attribute.format", Outcome.accept("unknown attribute 'align'"));
        m.put("33-offsets-out-of-order.format", Outcome.accept(null));
        m.put("34-no-common-fields.format", Outcome.accept("no common_* fields"));
        m.put("35-field-without-type.format", Outcome.reject(9, "field 'sig' has no type"));
        m.put("37-zero-size-scalar.format", Outcome.reject(9, "size 0"));
        m.put("38-two-format-sections.format", Outcome.reject(18, "second 'format:' section"));
        m.put("40-real-corruption-name-line.format", Outcome.reject(1, "unknown key 'ame'"));
        return m;
    }

    @Test
    void everyBadFileHasItsDocumentedOutcome() throws IOException {
        List<String> files = Corpus.files("bad").stream().map(p -> p.getFileName().toString()).toList();
        assertThat(files).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
        for (Map.Entry<String, Outcome> e : EXPECTED.entrySet()) {
            Path file = Corpus.path("bad/" + e.getKey());
            Outcome outcome = e.getValue();
            if (outcome.reject()) {
                assertThatThrownBy(() -> FormatParser.parse(file)).as(e.getKey())
                        .isInstanceOfSatisfying(FormatException.class, ex -> {
                            assertThat(ex.source()).isEqualTo(file.toString());
                            assertThat(ex.line()).as(ex.getMessage()).isEqualTo(outcome.line());
                            assertThat(ex.problem()).as(ex.getMessage()).contains(outcome.keyword());
                            assertThat(ex.getMessage()).isEqualTo(file + ":" + outcome.line() + ": " + ex.problem());
                        });
            } else {
                EventFormat f = parse(file);
                assertThat(f.name()).as(e.getKey()).isEqualTo("signal_generate");
                assertThat(f.payloadFields()).as(e.getKey() + " has a usable layout").isNotEmpty()
                        .allSatisfy(field -> assertThat(field.offset() + field.size()).isLessThanOrEqualTo(f.fixedSize()));
                if (outcome.keyword() == null) {
                    assertThat(f.warnings()).as(e.getKey()).isEmpty();
                } else {
                    assertThat(f.warnings()).as(e.getKey()).anySatisfy(w -> assertThat(w).contains(outcome.keyword()));
                }
            }
        }
    }

    /** The README's REJECT/ACCEPT verdicts agree with the table above (03, 04 and 40 allow either; we reject). */
    @Test
    void theReadmeVerdictsMatch() throws IOException {
        String readme = Files.readString(Corpus.path("bad/README.md"), StandardCharsets.UTF_8);
        Matcher row = Pattern.compile("^\\| `([^`]+)` \\| (REJECT|ACCEPT)", Pattern.MULTILINE).matcher(readme);
        int rows = 0;
        while (row.find()) {
            rows++;
            Outcome outcome = EXPECTED.get(row.group(1));
            assertThat(outcome).as(row.group(1)).isNotNull();
            assertThat(outcome.reject() ? "REJECT" : "ACCEPT").as(row.group(1)).isEqualTo(row.group(2));
        }
        assertThat(rows).isEqualTo(EXPECTED.size());
    }

    @Test
    void acceptedFilesKeepTheirLayout() throws Exception {
        EventFormat mixed = parse(Corpus.path("bad/11-missing-signed-one-line.format"));
        assertThat(mixed.requireField("errno").signed()).as("inferred from int").isTrue();

        EventFormat mismatch = parse(Corpus.path("bad/13-scalar-size-mismatch.format"));
        assertThat(mismatch.requireField("sig").size()).as("size: is trusted").isEqualTo(8);

        EventFormat nonUtf8 = parse(Corpus.path("bad/21-non-utf8-in-print-fmt.format"));
        assertThat(nonUtf8.printFmt().format()).startsWith("si\u00e9g=%d");
        assertThat(nonUtf8.printFmt().args()).hasSize(7);

        EventFormat unbalanced = parse(Corpus.path("bad/25-print-fmt-unbalanced-parens.format"));
        assertThat(unbalanced.printFmt().parsed()).isFalse();
        assertThat(unbalanced.printFmt().problem()).contains("unclosed '('");
        assertThat(unbalanced.requireField("result").table()).as("an unclosed helper gives no table").isNull();

        EventFormat unterminated = parse(Corpus.path("bad/26-print-fmt-unterminated-string.format"));
        assertThat(unterminated.printFmt().parsed()).isFalse();
        assertThat(unterminated.printFmt().problem()).contains("unterminated string literal");

        EventFormat weird = parse(Corpus.path("bad/28-data-loc-weird-types.format"));
        assertThat(weird.payloadFields()).extracting(Field::kind).containsOnly(FieldKind.DATA_LOC);
        assertThat(weird.payloadFields()).extracting(Field::elementType).containsExactly("struct foo *", "int", "cpumask_t");
        assertThat(weird.payloadFields()).extracting(Field::elementSize).containsExactly(8, 4, 1);

        EventFormat crlf = parse(Corpus.path("bad/30-crlf-line-endings.format"));
        assertThat(crlf.id()).isEqualTo(261);
        assertThat(crlf.printFmt().args()).last().isEqualTo("REC->result");
        assertThat(crlf.requireField("comm").arrayLength()).isEqualTo(16);

        EventFormat outOfOrder = parse(Corpus.path("bad/33-offsets-out-of-order.format"));
        assertThat(outOfOrder.payloadFields()).extracting(Field::name)
                .containsExactly("result", "group", "pid", "comm", "code", "errno", "sig");
        assertThat(outOfOrder.requireField("sig").offset()).isEqualTo(8);
        assertThat(outOfOrder.fixedSize()).isEqualTo(48);

        EventFormat noCommon = parse(Corpus.path("bad/34-no-common-fields.format"));
        assertThat(noCommon.field("common_type")).isNull();
        assertThat(noCommon.requireField("sig").offset()).isEqualTo(8);
    }

    @Test
    void aVeryLongPrintFmtLineParsesInLinearTime() {
        Path file = Corpus.path("bad/23-very-long-print-fmt-line.format");
        EventFormat f = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> parse(file));
        ValueTable reasons = f.requireField("result").table();
        assertThat(reasons.size()).isEqualTo(12000);
        assertThat(reasons.nameOf(11999)).isEqualTo("REASON_11999");
        assertThat(f.printFmt().args()).hasSize(2);
    }

    private static EventFormat parse(Path file) throws IOException {
        try {
            return FormatParser.parse(file);
        } catch (FormatException e) {
            return fail("expected " + file + " to be accepted, but: " + e.getMessage());
        }
    }
}
