/**
 * Packet drops as typed events: why and where the kernel dropped packets.
 *
 * <ul>
 *   <li>{@link dev.tracepoint.skb.KfreeSkb} and {@link dev.tracepoint.skb.ConsumeSkb}: typed, allocation-free
 *       views of {@code skb:kfree_skb} and {@code skb:consume_skb}, bound by field name to the running kernel's
 *       layout, with immutable record copies ({@link dev.tracepoint.skb.KfreeSkbRecord},
 *       {@link dev.tracepoint.skb.ConsumeSkbRecord});</li>
 *   <li>{@link dev.tracepoint.skb.DropReasons}: reason names from the kernel's own {@code __print_symbolic}
 *       table (never a compiled-in enum: the numbering changes between releases);</li>
 *   <li>{@link dev.tracepoint.skb.EtherTypes}: protocol names;</li>
 *   <li>{@link dev.tracepoint.skb.DropMonitor}: a dropwatch-like monitor that counts drops per (reason,
 *       location) ({@link dev.tracepoint.skb.DropSummary}), with kernel-side filters, and hands each drop to a
 *       listener as a {@link dev.tracepoint.skb.Drop} flyweight (copied as a {@link dev.tracepoint.skb.DropRecord});
 *       the {@code ./tracepoint drops} command is a thin layer over it.</li>
 * </ul>
 * Drop locations are code addresses; {@link dev.tracepoint.core.KernelSymbols} prints them as {@code %pS}.
 */
package dev.tracepoint.skb;
