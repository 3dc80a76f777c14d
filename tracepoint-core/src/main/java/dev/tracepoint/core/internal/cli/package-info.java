/**
 * Not API. The {@code ./tracepoint} launcher: the command SPI, the core's commands ({@code list},
 * {@code describe}, {@code formats}, {@code stream}) and the helpers the signal and skb commands share
 * (arguments, JSON, clean shutdown). Exported only to those two modules.
 */
package dev.tracepoint.core.internal.cli;
