/**
 * Internals of the skb module, not API: the drop monitor's books ({@link dev.tracepoint.skb.internal.DropLedger},
 * over the primitive drop-count map {@link dev.tracepoint.skb.internal.DropCounts}) and its kernel filter
 * builder ({@link dev.tracepoint.skb.internal.KernelFilter}); the {@code drops} command of the launcher
 * ({@link dev.tracepoint.skb.internal.DropsCommand}).
 */
package dev.tracepoint.skb.internal;
