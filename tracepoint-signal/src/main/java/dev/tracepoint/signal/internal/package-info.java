/**
 * Internals of the signal module, not API: the signal monitor's selection ({@link
 * dev.tracepoint.signal.internal.SignalSelection}, with the kernel filter builder) and its books ({@link
 * dev.tracepoint.signal.internal.SignalLedger}); the open-addressing tables behind the task table and the
 * summary counts. The {@code signals} launcher command and its text and JSON renderers are in
 * {@code internal.cli}, built from {@code src/cli/java} into the module's {@code cli} jar.
 */
package dev.tracepoint.signal.internal;
