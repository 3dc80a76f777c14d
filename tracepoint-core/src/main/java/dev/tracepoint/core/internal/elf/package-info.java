/**
 * Not API. A reader of 64-bit little-endian ELF files (x86_64, aarch64) for user-space probes:
 * {@link dev.tracepoint.core.internal.elf.ElfFile} maps the file, reads its program headers, its section
 * headers and the symbols of {@code .symtab} and {@code .dynsym}, and turns a symbol's virtual address into
 * the file offset a uprobe is placed at, from the {@code PT_LOAD} segment that holds it, as {@code perf probe}
 * does.
 *
 * {@link dev.tracepoint.core.internal.elf.UsdtNote} reads the USDT markers of {@code .note.stapsdt}.
 *
 * <p>Owns: the ELF layout. Does not own: writing probe definitions. Not exported from the module.
 */
package dev.tracepoint.core.internal.elf;
