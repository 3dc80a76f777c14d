package dev.tracepoint.core.hardening;

import dev.tracepoint.core.Filter;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.FormatParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The typed filter builder: quoting, rejection of unquotable values, validation against a format. */
class FilterTest {

    static EventFormat signalGenerate() throws Exception {
        Path root = Path.of(System.getProperty("tracepoint.corpus", "../testdata/corpus"));
        return FormatParser.parse(root.resolve("kernel-6.18/signal/signal_generate/format"));
    }

    @Test
    void buildsFtraceSyntaxWithParenthesesWhereNeeded() {
        Filter f = Filter.field("sig").eq(9).and(Filter.field("comm").eq("nginx")).or(Filter.field("pid").lt(-1).not());
        assertThat(f).hasToString("(sig == 9 && comm == \"nginx\") || !(pid < -1)");
        assertThat(Filter.allOf(Filter.field("a").ge(1), Filter.field("b").anyBits(4), Filter.field("c").ne("x")))
                .hasToString("a >= 1 && b & 4 && c != \"x\"");
        // a chain of one operator needs no parentheses; a different operator inside it does
        assertThat(Filter.anyOf(Filter.field("a").eq(1), Filter.field("b").eq(2)).and(Filter.field("c").eq(3)).or(Filter.field("d").eq(4)))
                .hasToString("((a == 1 || b == 2) && c == 3) || d == 4");
        assertThat(Filter.field("a").eq(1).and(Filter.field("b").eq(2)).and(Filter.field("c").eq(3).and(Filter.field("d").eq(4))))
                .hasToString("a == 1 && b == 2 && c == 3 && d == 4");
        assertThat(Filter.field("comm").glob("ngin*")).hasToString("comm ~ \"ngin*\"");
        assertThat(Filter.raw(" sig == 9 ").and(Filter.field("pid").eq(1))).hasToString("(sig == 9) && pid == 1");
        assertThat(Filter.raw("sig == 9").hasRaw()).isTrue();
    }

    @Test
    void hostileStringsStayInsideTheirLiteral() {
        String hostile = "nginx\" || sig == 9 || comm == \"x";
        Filter f = Filter.field("comm").eq(hostile);
        // quoted with the quote it does not contain: the kernel reads up to the next ' only
        assertThat(f).hasToString("comm == 'nginx\" || sig == 9 || comm == \"x'");
        assertThat(Filter.field("comm").eq("it's")).hasToString("comm == \"it's\"");
        assertThat(Filter.field("comm").eq("a) || (1")).hasToString("comm == \"a) || (1\"");
    }

    @Test
    void valuesThatCannotBeQuotedAreRejectedNamingThem() {
        assertThatThrownBy(() -> Filter.field("comm").eq("a\"b'c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value=\"a\"b'c\"").hasMessageContaining("both quote");
        assertThatThrownBy(() -> Filter.field("comm").eq("a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value=\"a\\x00b\"");
        assertThatThrownBy(() -> Filter.field("comm").eq("a\nsig == 9")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Filter.field("comm").eq("x".repeat(256))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256 bytes");
        assertThat(Filter.field("comm").eq("x".repeat(255))).isNotNull();
        assertThatThrownBy(() -> Filter.field("sig == 9 || comm")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a C identifier");
        assertThatThrownBy(() -> Filter.field("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Filter.raw("  ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validatesFieldsAndTypesAgainstTheFormat() throws Exception {
        EventFormat f = signalGenerate();
        assertThat(Filter.field("sig").eq(9).and(Filter.field("comm").eq("x")).toString(f)).isEqualTo("sig == 9 && comm == \"x\"");
        assertThat(Filter.field("CPU").eq(0).and(Filter.field("COMM").eq("x")).toString(f)).isNotEmpty();
        assertThatThrownBy(() -> Filter.field("signal").eq(9).validate(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field=signal").hasMessageContaining("signal:signal_generate").hasMessageContaining("sig");
        assertThatThrownBy(() -> Filter.field("sig").eq("9").validate(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field=sig").hasMessageContaining("with a string");
        assertThatThrownBy(() -> Filter.field("comm").eq(9).validate(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("with a number");
        assertThatThrownBy(() -> Filter.field("common_type").eq(-1).validate(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsigned");
        // raw parts are not looked into
        assertThat(Filter.raw("whatever == 1").toString(f)).isEqualTo("whatever == 1");
    }
}
