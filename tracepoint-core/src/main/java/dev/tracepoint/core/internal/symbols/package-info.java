/**
 * Not API. The kernel symbol table behind {@link dev.tracepoint.core.KernelSymbols}:
 * {@link dev.tracepoint.core.internal.symbols.KallsymsParser} reads {@code /proc/kallsyms} and
 * {@code /proc/modules} text byte by byte, {@link dev.tracepoint.core.internal.symbols.SymbolBounds} derives
 * where each symbol ends as {@code perf} does, and {@link dev.tracepoint.core.internal.symbols.SymbolIndex}
 * holds the sorted arrays, finds an address's symbol by binary search and prints it like {@code %pS}.
 *
 * <p>Owns: the file formats, the end rules and the index layout. Does not own: reading the files, caching the
 * system table, or warning when addresses are hidden ({@code KernelSymbols}). Not exported from the module.
 */
package dev.tracepoint.core.internal.symbols;
