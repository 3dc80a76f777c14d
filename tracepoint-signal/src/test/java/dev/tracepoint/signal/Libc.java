package dev.tracepoint.signal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls the tests make to send signals from this JVM (the test module cannot see the core's
 * internal {@code Native}). Each throws {@link IllegalStateException} when the call returns -1.
 */
@SuppressWarnings("restricted")
public final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle KILL = handle("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** {@code union sigval} (8 bytes, passed by value) goes in one integer register on x86_64 and aarch64. */
    private static final MethodHandle SIGQUEUE = handle("sigqueue", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle GETUID = handle("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SYSCALL0 = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));

    private Libc() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    /** {@code kill(pid, sig)}. */
    public static void kill(long pid, int sig) {
        try {
            if ((int) KILL.invokeExact((int) pid, sig) != 0) {
                throw new IllegalStateException("kill(" + pid + ", " + sig + ") failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code sigqueue(pid, sig, {.sival_int = value})}. */
    public static void sigqueue(long pid, int sig, int value) {
        try {
            if ((int) SIGQUEUE.invokeExact((int) pid, sig, Integer.toUnsignedLong(value)) != 0) {
                throw new IllegalStateException("sigqueue(" + pid + ", " + sig + ") failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** @return the real uid */
    public static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** @return the calling thread's kernel thread id ({@code syscall(SYS_gettid)}) */
    public static int gettid() {
        long nr = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 186;
            case "aarch64", "riscv64" -> 178;
            default -> throw new IllegalStateException("gettid: unknown syscall number on " + System.getProperty("os.arch"));
        };
        try {
            return (int) (long) SYSCALL0.invokeExact(nr);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
