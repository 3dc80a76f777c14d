/**
 * Not API. The tracefs side of dynamic probes: {@link dev.tracepoint.core.internal.probe.DynamicEvents} appends
 * probe definitions to {@code dynamic_events} (or {@code uprobe_events}), removes them, lists the definitions
 * of a group, and quotes the kernel's {@code error_log} entry when it rejects one.
 *
 * <p>Owns: the file protocol and the group naming ({@code tp_<pid>}). Does not own: the probe syntax offered
 * to users ({@code dev.tracepoint.core.probe}). Not exported from the module.
 */
package dev.tracepoint.core.internal.probe;
