/**
 * Internals of the skb module, not API: the drop monitor's books ({@link dev.tracepoint.skb.internal.DropLedger},
 * over the primitive drop-count map {@link dev.tracepoint.skb.internal.DropCounts}) and its kernel filter
 * builder ({@link dev.tracepoint.skb.internal.KernelFilter}). The {@code drops} command of the launcher is in
 * {@code internal.cli}, built from {@code src/cli/java} into the module's {@code cli} jar.
 */
package dev.tracepoint.skb.internal;
