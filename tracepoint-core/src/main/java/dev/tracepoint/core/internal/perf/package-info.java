/**
 * The kernel interface: system calls for {@code perf_event_open(2)} and its ioctls
 * ({@link dev.tracepoint.core.internal.perf.PerfCalls}), epoll ({@link dev.tracepoint.core.internal.perf.Epoll}),
 * eventfd ({@link dev.tracepoint.core.internal.perf.EventFd}) and plain calls such as {@code mmap},
 * {@code close} and {@code clock_gettime} ({@link dev.tracepoint.core.internal.perf.Libc}), all made through
 * one FFM downcall, glibc's {@code syscall()} ({@code Syscalls}), with errno captured ({@code Downcalls}), failures as
 * {@link dev.tracepoint.core.internal.perf.SyscallException}; and the byte layouts of the uapi structs
 * {@code struct perf_event_attr}, {@code struct perf_event_header} and {@code struct perf_event_mmap_page}
 * ({@code *Descriptor} classes), plus the online-CPU list.
 *
 * <p>Owns: system call wrappers, errno names, uapi constants and offsets. Does not own: reading rings
 * ({@code internal.ring}), decoding records ({@code decode}), or any policy (which CPUs, what to do on
 * {@code ENODEV}); callers decide and add context to errors.
 *
 * <p>Supported: Linux on x86_64 and aarch64 (little-endian, LP64). The architecture-specific bits are the
 * system call numbers ({@code Syscalls}) and the size of {@code struct epoll_event}.
 * Not exported from the module.
 */
package dev.tracepoint.core.internal.perf;
