package dev.tracepoint.core.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link FormatParser#parsePrintFmt(String)}: splitting, unescaping, and never throwing. */
class PrintFmtTest {

    @Test
    void splitsFormatAndArguments() {
        PrintFmt p = FormatParser.parsePrintFmt("\"sig=%d comm=%s\", REC->sig, REC->comm");
        assertThat(p.parsed()).isTrue();
        assertThat(p.problem()).isNull();
        assertThat(p.format()).isEqualTo("sig=%d comm=%s");
        assertThat(p.args()).containsExactly("REC->sig", "REC->comm");
        assertThat(p.text()).isEqualTo("\"sig=%d comm=%s\", REC->sig, REC->comm");
    }

    @Test
    void aFormatWithoutArguments() {
        PrintFmt p = FormatParser.parsePrintFmt("\"no arguments\"");
        assertThat(p.format()).isEqualTo("no arguments");
        assertThat(p.args()).isEmpty();
    }

    @Test
    void commasInsideNestedBracketsAndLiteralsStayInTheirArgument() {
        PrintFmt p = FormatParser.parsePrintFmt("\"%s %d %c %s\", __print_symbolic(REC->x, { 1, \"A,B\" }, { 2, \"C)\" }),"
                + " (f(REC->a, g(1, 2)) + REC->arr[(1, 2)]), REC->c ? ',' : ')', REC->s ? \"x, y\" : \"(\"");
        assertThat(p.parsed()).isTrue();
        assertThat(p.args()).containsExactly(
                "__print_symbolic(REC->x, { 1, \"A,B\" }, { 2, \"C)\" })",
                "(f(REC->a, g(1, 2)) + REC->arr[(1, 2)])",
                "REC->c ? ',' : ')'",
                "REC->s ? \"x, y\" : \"(\"");
    }

    @Test
    void statementExpressionsAsTheKernelPrintsThem() {
        PrintFmt p = FormatParser.parsePrintFmt("\"n=%d t=%s\", ({ int __x = (REC->n); int __y = (128); "
                + "((__x) < (__y) ? (__x) : (__y)); }), REC->t ? \" [T]\" : \"\"");
        assertThat(p.args()).hasSize(2);
        assertThat(p.args().get(0)).startsWith("({ int __x").endsWith("})");
    }

    @Test
    void adjacentLiteralsAreConcatenated() {
        PrintFmt p = FormatParser.parsePrintFmt("\"\\t=> %ps\\n\" \"\\t=> %ps\\n\"  \"end\", REC->a, REC->b");
        assertThat(p.format()).isEqualTo("\t=> %ps\n\t=> %ps\nend");
        assertThat(p.args()).containsExactly("REC->a", "REC->b");
    }

    @Test
    void escapesAreResolved() {
        PrintFmt p = FormatParser.parsePrintFmt(
                "\"q\\\" b\\\\ t\\t n\\n r\\r o\\101\\0 h\\x41\\x4a z\\? s\\' e\\e\"");
        assertThat(p.format()).isEqualTo("q\" b\\ t\t n\n r\r oA\0 hAJ z? s' e\u001b");
    }

    @Test
    void realLineBreaksInsideTheLiteralAreKept() {
        PrintFmt p = FormatParser.parsePrintFmt("\"owner %lld\n\", REC->owner");
        assertThat(p.format()).isEqualTo("owner %lld\n");
        assertThat(p.args()).containsExactly("REC->owner");
    }

    @Test
    void unterminatedStrings() {
        PrintFmt format = FormatParser.parsePrintFmt("\"sig=%d errno=%d, REC->sig, REC->errno");
        assertThat(format.parsed()).isFalse();
        assertThat(format.format()).isNull();
        assertThat(format.args()).isEmpty();
        assertThat(format.problem()).isEqualTo("unterminated string literal at column 1");
        assertThat(format.text()).isEqualTo("\"sig=%d errno=%d, REC->sig, REC->errno");

        PrintFmt argument = FormatParser.parsePrintFmt("\"%s\", REC->x ? \"yes : \"no\"");
        assertThat(argument.parsed()).isFalse();
        assertThat(argument.problem()).contains("unterminated string literal");

        PrintFmt character = FormatParser.parsePrintFmt("\"%c\", REC->x ? 'a' : 'b");
        assertThat(character.problem()).contains("unterminated character literal");

        assertThat(FormatParser.parsePrintFmt("\"ends in a backslash\\").parsed()).isFalse();
    }

    @Test
    void unbalancedBrackets() {
        assertThat(FormatParser.parsePrintFmt("\"%d\", f(REC->x").problem()).isEqualTo("unclosed '(' at column 8");
        assertThat(FormatParser.parsePrintFmt("\"%d\", REC->x)").problem()).isEqualTo("unbalanced ')' at column 13");
        assertThat(FormatParser.parsePrintFmt("\"%d\", f(REC->x]").problem()).isEqualTo("unbalanced ']' at column 15");
        assertThat(FormatParser.parsePrintFmt("\"%d\", { REC->x )").parsed()).isFalse();
    }

    @Test
    void otherOddities() {
        assertThat(FormatParser.parsePrintFmt(null).problem()).isEqualTo("empty print fmt");
        assertThat(FormatParser.parsePrintFmt("   ").problem()).isEqualTo("empty print fmt");
        assertThat(FormatParser.parsePrintFmt("REC->x").problem()).contains("does not start with a string literal");
        assertThat(FormatParser.parsePrintFmt("\"%d\" REC->x").problem()).contains("unexpected 'R'");
        assertThat(FormatParser.parsePrintFmt("\"%d %d\", REC->a, , REC->b").problem()).contains("empty argument");
        assertThat(FormatParser.parsePrintFmt("\"%d\",").problem()).contains("empty argument");
    }

    @Test
    void deepNestingIsLinearAndNeverOverflowsTheStack() {
        int depth = 200_000;
        String deep = "\"%d\", " + "(".repeat(depth) + "REC->x" + ")".repeat(depth);
        assertThat(FormatParser.parsePrintFmt(deep).args()).hasSize(1);
        assertThat(FormatParser.parsePrintFmt(deep.substring(0, deep.length() - 1)).problem()).startsWith("unclosed '('");
    }
}
