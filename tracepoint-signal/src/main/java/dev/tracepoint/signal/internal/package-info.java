/**
 * Internals of the signal module, not API: the signal monitor's selection ({@link
 * dev.tracepoint.signal.internal.SignalSelection}, with the kernel filter builder) and its books ({@link
 * dev.tracepoint.signal.internal.SignalLedger}); the open-addressing tables behind the task table and the
 * summary counts, the text and JSON renderers and the {@code signals} launcher command.
 */
package dev.tracepoint.signal.internal;
