/**
 * Linux kernel tracepoints as Java events: tracefs format parsing, {@code perf_event_open} rings read
 * through the Foreign Function and Memory API, and zero-copy decoding.
 *
 * <p>Exported: {@code dev.tracepoint.core} (streams, tracefs, listeners, exceptions),
 * {@code dev.tracepoint.core.format} (the format-file model and parser),
 * {@code dev.tracepoint.core.decode} (event views, typed bindings), {@code dev.tracepoint.core.probe} (uprobes
 * defined in tracefs and subscribed as tracepoints) and {@code dev.tracepoint.core.jfr} (kernel events forwarded
 * into JDK Flight Recorder). Everything under {@code internal} is not
 * API; the text helpers ({@code internal.text}), the JFR clock ({@code internal.jfr}) and the MBean registration
 * ({@code internal.jmx}) are shared with the signal and skb modules only. The
 * {@code ./tracepoint} launcher is no part of this module: it is built from {@code src/cli/java} into the
 * separate {@code cli} jar.
 */
module dev.tracepoint.core {
    exports dev.tracepoint.core;
    exports dev.tracepoint.core.format;
    exports dev.tracepoint.core.decode;
    exports dev.tracepoint.core.probe;
    exports dev.tracepoint.core.jfr;
    exports dev.tracepoint.core.internal.text to dev.tracepoint.signal, dev.tracepoint.skb;
    exports dev.tracepoint.core.internal.jfr to dev.tracepoint.signal, dev.tracepoint.skb;
    exports dev.tracepoint.core.internal.jmx to dev.tracepoint.signal, dev.tracepoint.skb;

    requires transitive java.management; // CompilationMXBean: the warm-up waits for the JIT to go idle; the MXBeans (ObjectName in the API)
    requires transitive jdk.jfr; // the JFR bridge (its API returns jdk.jfr.EventType)
}
