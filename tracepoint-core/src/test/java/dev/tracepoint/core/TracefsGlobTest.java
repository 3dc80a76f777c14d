package dev.tracepoint.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Tracefs#tracepoints(String)}'s globs, over a tracefs tree of a few real tracepoint names. */
class TracefsGlobTest {

    static Tracefs tracefs(Path root) throws Exception {
        for (String name : new String[] {"skb:kfree_skb", "skb:consume_skb", "net:netif_receive_skb", "sched:sched_switch",
                "sched:sched_process_exec", "signal:signal_generate", "signal:signal_deliver", "syscalls:sys_enter_kill"}) {
            Path dir = root.resolve("events").resolve(name.replace(':', '/'));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("format"), "name: " + name.substring(name.indexOf(':') + 1) + "\n");
        }
        return Tracefs.at(root);
    }

    @Test
    void starCrossesTheColon(@TempDir Path tmp) throws Exception {
        Tracefs t = tracefs(tmp);
        assertThat(t.tracepoints("*skb*")).containsExactly("net:netif_receive_skb", "skb:consume_skb", "skb:kfree_skb");
        assertThat(t.tracepoints("*")).hasSize(8).isEqualTo(t.tracepoints());
        assertThat(t.tracepoints("sched*")).containsExactly("sched:sched_process_exec", "sched:sched_switch");
        assertThat(t.tracepoints("signal:*")).containsExactly("signal:signal_deliver", "signal:signal_generate");
        assertThat(t.tracepoints("*:sys_enter_*")).containsExactly("syscalls:sys_enter_kill");
    }

    @Test
    void theGlobMatchesWholeNames(@TempDir Path tmp) throws Exception {
        Tracefs t = tracefs(tmp);
        assertThat(t.tracepoints("kfree_skb")).isEmpty();
        assertThat(t.tracepoints("skb")).isEmpty();
        assertThat(t.tracepoints("skb:kfree_skb")).containsExactly("skb:kfree_skb");
        assertThat(t.tracepoints("SKB:*")).as("case-sensitive").isEmpty();
        assertThat(t.tracepoints("*.*")).as("a dot is a dot").isEmpty();
    }

    @Test
    void questionMarkSetsAlternativesAndEscapes(@TempDir Path tmp) throws Exception {
        Tracefs t = tracefs(tmp);
        assertThat(t.tracepoints("s?b:*")).containsExactly("skb:consume_skb", "skb:kfree_skb");
        assertThat(t.tracepoints("signal:signal_[dg]*")).containsExactly("signal:signal_deliver", "signal:signal_generate");
        assertThat(t.tracepoints("signal:signal_[!d]*")).containsExactly("signal:signal_generate");
        assertThat(t.tracepoints("signal:signal_[^d]*")).containsExactly("signal:signal_generate");
        assertThat(t.tracepoints("[n-r]*")).containsExactly("net:netif_receive_skb");
        assertThat(t.tracepoints("{skb,net}:*")).containsExactly("net:netif_receive_skb", "skb:consume_skb", "skb:kfree_skb");
        assertThat(t.tracepoints("skb:kfree\\_skb")).containsExactly("skb:kfree_skb");
        assertThat(t.tracepoints("signal/signal_generate")).as("/ for the colon").containsExactly("signal:signal_generate");
        assertThat(t.tracepoints("[d]*")).isEmpty(); // a letter in a set is the letter, not a regex class (\d)
    }

    @Test
    void malformedGlobsAreRejectedWithWhatIsWrong(@TempDir Path tmp) throws Exception {
        Tracefs t = tracefs(tmp);
        assertThatThrownBy(() -> t.tracepoints("sig[nal:*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sig[nal:*'").hasMessageContaining("without its ']'");
        assertThatThrownBy(() -> t.tracepoints("{skb,net:*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without its '}'");
        assertThatThrownBy(() -> t.tracepoints("skb\\")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lone \\");
    }
}
