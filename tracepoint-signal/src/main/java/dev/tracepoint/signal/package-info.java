/**
 * Typed signal events and the signal monitor.
 *
 * <ul>
 *   <li>{@link dev.tracepoint.signal.SignalGenerate} and {@link dev.tracepoint.signal.SignalDeliver}: typed
 *       flyweights of {@code signal:signal_generate} and {@code signal:signal_deliver}, bound by field name to
 *       the running kernel's layout, allocation-free;</li>
 *   <li>{@link dev.tracepoint.signal.SignalGenerateRecord} and {@link dev.tracepoint.signal.SignalDeliverRecord}:
 *       their immutable copies, with the sender resolved;</li>
 *   <li>{@link dev.tracepoint.signal.Signals}: signal numbers, {@code si_code} values and results to names;</li>
 *   <li>{@link dev.tracepoint.signal.TaskTable}: process names and uids kept from the kernel's own task
 *       records, so short-lived senders are still named;</li>
 *   <li>{@link dev.tracepoint.signal.SignalMonitor}: "who sends which signal to whom", with kernel-side
 *       filters and per-(signal, sender, target) counts; {@code ./tracepoint signals} is a thin layer over it.</li>
 * </ul>
 */
package dev.tracepoint.signal;
