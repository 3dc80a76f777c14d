/**
 * The kernel interface: FFM downcalls for {@code perf_event_open(2)}, its ioctls, {@code mmap}, epoll and
 * eventfd ({@link dev.tracepoint.core.internal.perf.Native}, failures as
 * {@link dev.tracepoint.core.internal.perf.SyscallException}), and the byte layouts of the uapi structs
 * {@code struct perf_event_attr}, {@code struct perf_event_header} and {@code struct perf_event_mmap_page}
 * ({@code *Descriptor} classes), plus the online-CPU list.
 *
 * <p>Owns: system call wrappers, errno names, uapi constants and offsets. Does not own: reading rings
 * ({@code internal.ring}), decoding records ({@code decode}), or any policy (which CPUs, what to do on
 * {@code ENODEV}); callers decide and add context to errors.
 *
 * <p>Supported: Linux on x86_64 and aarch64 (little-endian, LP64). The architecture-specific bits are the
 * {@code perf_event_open} and {@code gettid} syscall numbers and the size of {@code struct epoll_event}.
 * Not exported from the module.
 */
package dev.tracepoint.core.internal.perf;
