/**
 * Linux kernel tracepoints as Java events: tracefs format parsing, {@code perf_event_open} rings read
 * through the Foreign Function and Memory API, and zero-copy decoding.
 *
 * <p>Exported: {@code dev.tracepoint.core} (streams, tracefs, listeners, exceptions),
 * {@code dev.tracepoint.core.format} (the format-file model and parser) and
 * {@code dev.tracepoint.core.decode} (event views, typed bindings). Everything under {@code internal} is not
 * API; the launcher's command package and the text helpers ({@code internal.text}) are shared with the
 * signal and skb modules only.
 */
module dev.tracepoint.core {
    exports dev.tracepoint.core;
    exports dev.tracepoint.core.format;
    exports dev.tracepoint.core.decode;
    exports dev.tracepoint.core.internal.cli to dev.tracepoint.signal, dev.tracepoint.skb;
    exports dev.tracepoint.core.internal.text to dev.tracepoint.signal, dev.tracepoint.skb;

    requires java.management; // CompilationMXBean: the warm-up waits for the JIT to go idle before enabling
    requires jdk.unsupported; // sun.misc.Signal: clean exit on Ctrl-C for the launcher

    uses dev.tracepoint.core.internal.cli.Command;
}
