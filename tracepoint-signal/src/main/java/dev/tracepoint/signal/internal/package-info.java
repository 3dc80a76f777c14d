/**
 * Internals of the signal module, not API: the kernel filter builder, the open-addressing tables behind the
 * task table and the summary counts, the text and JSON renderers and the {@code signals} launcher command.
 */
package dev.tracepoint.signal.internal;
