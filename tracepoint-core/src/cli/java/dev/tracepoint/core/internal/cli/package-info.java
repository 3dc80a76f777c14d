/**
 * Not API, and no part of the library jar: the {@code ./tracepoint} launcher, built from {@code src/cli/java}
 * into {@code tracepoint-core-<version>-cli.jar}, which the launcher runs on the class path together with the
 * library jars. The command SPI ({@link dev.tracepoint.core.internal.cli.Command}, found with
 * {@link java.util.ServiceLoader} through the {@code META-INF/services} files of the signal and skb cli jars),
 * the core's commands ({@code list}, {@code describe}, {@code formats}, {@code stream}) and the helpers the
 * signal and skb commands share (arguments, JSON, clean shutdown).
 */
package dev.tracepoint.core.internal.cli;
