/**
 * Internals of the skb module: the {@code drops} command of the launcher ({@link dev.tracepoint.skb.internal.DropsCommand})
 * and the primitive drop-count map behind {@link dev.tracepoint.skb.DropMonitor}. Not API.
 */
package dev.tracepoint.skb.internal;
