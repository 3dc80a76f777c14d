/**
 * Reading perf ring buffers: {@link dev.tracepoint.core.internal.ring.PerfRing} (one per CPU) implements the
 * {@code data_head}/{@code data_tail} protocol of {@code struct perf_event_mmap_page} over an mmap'd ring,
 * copies records that wrap the ring end into its scratch segment, and hands each record to a
 * {@link dev.tracepoint.core.internal.ring.RecordHandler} as {@code (segment, offset, type, misc, size)}.
 * {@link dev.tracepoint.core.internal.ring.RecordImages} writes synthetic records and rings the way the
 * kernel does, for the warm-up, the tests and the benchmarks.
 * The protocol is written once, in the ring's {@link dev.tracepoint.core.internal.ring.PerfRing.Cursor}: the
 * ring's own drain and the batch path's walk ({@code internal.dispatch.BatchCursor}) are both built on it.
 *
 * <p>Owns: memory ordering against the kernel, wrap-around, validation of record sizes and resync after
 * corruption. Does not own: opening events or mapping rings ({@code internal.perf}), waiting for data
 * (epoll, in the caller), decoding or dispatching records ({@code decode}, {@code internal.dispatch}).
 * Not exported from the module.
 */
package dev.tracepoint.core.internal.ring;
