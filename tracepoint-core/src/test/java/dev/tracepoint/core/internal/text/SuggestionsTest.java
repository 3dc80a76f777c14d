package dev.tracepoint.core.internal.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SuggestionsTest {

    static final List<String> REASONS = List.of("NOT_SPECIFIED", "NO_SOCKET", "PKT_TOO_SMALL", "TCP_CSUM", "SOCKET_FILTER",
            "UDP_CSUM", "NETFILTER_DROP", "SOCKET_RCVBUFF", "SOCKET_CLOSE");

    @Test
    void aTypoGetsTheNameItMisses() {
        assertThat(Suggestions.didYouMean("NO_SOKET", REASONS)).isEqualTo("; did you mean NO_SOCKET?");
        assertThat(Suggestions.didYouMean("no_sokcet", REASONS)).as("case-insensitive, a transposition is one edit")
                .isEqualTo("; did you mean NO_SOCKET?");
        assertThat(Suggestions.didYouMean("TREM", List.of("HUP", "INT", "KILL", "TERM", "USR1"))).isEqualTo("; did you mean TERM?");
    }

    @Test
    void aPartOfNamesGetsThoseThatContainIt() {
        assertThat(Suggestions.closest("SOCKET", REASONS, 3)).containsExactly("NO_SOCKET", "SOCKET_CLOSE", "SOCKET_FILTER");
        assertThat(Suggestions.didYouMean("CSUM", REASONS)).isEqualTo("; did you mean TCP_CSUM or UDP_CSUM?");
    }

    @Test
    void nothingCloseSuggestsNothing() {
        assertThat(Suggestions.didYouMean("NO_SUCH_REASON", REASONS)).isEmpty();
        assertThat(Suggestions.didYouMean("FOO", List.of("HUP", "INT", "KILL", "TERM"))).isEmpty();
        assertThat(Suggestions.didYouMean("x", List.of("a", "b"))).as("one letter is no typo of another").isEmpty();
    }

    @Test
    void distanceCountsEdits() {
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("ab", "ba")).isEqualTo(1);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
        assertThat(Suggestions.distance("same", "same")).isZero();
    }
}
