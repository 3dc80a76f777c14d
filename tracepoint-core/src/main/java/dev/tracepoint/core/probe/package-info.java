/**
 * Dynamic probes as tracepoints: {@link dev.tracepoint.core.probe.Probe} describes a uprobe or uretprobe on a
 * function of a binary (or a file offset), with fetch arguments in the kernel's syntax;
 * {@link dev.tracepoint.core.probe.Probes#enable} defines it in tracefs under the group {@code tp_<pid>} and
 * subscribes to it like any tracepoint, and the stream removes the definition when it closes.
 * {@link dev.tracepoint.core.probe.Probes#sweep} removes the definitions left by processes that are gone, and
 * {@link dev.tracepoint.core.probe.ProbeException} quotes the kernel's {@code error_log} when it rejects a
 * definition. {@link dev.tracepoint.core.probe.Probes#enableUsdt} attaches to a USDT marker of
 * {@code .note.stapsdt}, one uprobe per site.
 */
package dev.tracepoint.core.probe;
