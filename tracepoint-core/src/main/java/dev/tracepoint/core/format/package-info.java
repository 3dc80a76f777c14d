/**
 * An immutable model of tracefs format files, and the parser that builds it.
 *
 * <p>{@link dev.tracepoint.core.format.FormatParser} reads {@code events/<system>/<event>/format} into an
 * {@link dev.tracepoint.core.format.EventFormat}: the tracepoint id, its {@link dev.tracepoint.core.format.Field}s
 * with offsets and sizes exactly as the kernel printed them, the {@link dev.tracepoint.core.format.PrintFmt}, and
 * the {@link dev.tracepoint.core.format.ValueTable}s of its {@code __print_symbolic}/{@code __print_flags}
 * calls. Layouts differ between kernels (header sizes, field order, pointer widths), so readers look fields up
 * by name in the format of the kernel they run on. Malformed files raise a
 * {@link dev.tracepoint.core.format.FormatException} naming file, line and problem.
 */
package dev.tracepoint.core.format;
