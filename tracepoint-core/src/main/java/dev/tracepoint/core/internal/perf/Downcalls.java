package dev.tracepoint.core.internal.perf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Locale;

/**
 * The machinery every downcall class of this package shares: linking C library functions
 * ({@link Linker#nativeLinker()}, default lookup), the architecture check, errno capture and the per-thread
 * scratch area. Linux on x86_64 and aarch64 only: {@link #downcall} fails elsewhere, so each downcall class
 * fails to initialise there.
 *
 * <p>A C result of -1 becomes a {@link SyscallException} carrying {@code errno}, which is captured with
 * {@code Linker.Option.captureCallState("errno")} ({@link #ERRNO_OPTION}, read back with {@link #errno}):
 * reading errno any other way is unreliable because the JVM itself makes calls between the downcall and the
 * read.
 *
 * <p>Each thread has a small native scratch area ({@link #CALL_STATE}: errno capture plus 16 bytes for out
 * parameters such as {@code struct timespec}), so a call needs no native allocation of its own. Native code
 * never calls back into Java here, so a thread's scratch area is never in use twice.
 */
final class Downcalls {

    private static final String ARCH = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    /** Whether this is x86_64 (the other supported architecture is aarch64). */
    static final boolean X86_64 = ARCH.equals("amd64") || ARCH.equals("x86_64");
    private static final boolean AARCH64 = ARCH.equals("aarch64") || ARCH.equals("arm64");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** Captures {@code errno} into the call state's {@link CallState#capture()} segment, the first argument. */
    static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    /**
     * Per-thread native scratch: errno capture state and a 16-byte, 8-aligned buffer for out parameters.
     * Allocated in an automatic arena, so it is freed once the thread (and its ThreadLocalMap entry) is gone.
     *
     * @param capture the errno capture segment, passed first to every downcall linked with {@link #ERRNO_OPTION}
     * @param buffer  16 bytes for in and out parameters
     */
    record CallState(MemorySegment capture, MemorySegment buffer) {
    }

    /** The calling thread's {@link CallState}. */
    static final ThreadLocal<CallState> CALL_STATE = ThreadLocal.withInitial(() -> {
        Arena arena = Arena.ofAuto();
        return new CallState(arena.allocate(CAPTURE_LAYOUT), arena.allocate(16, Long.BYTES));
    });

    private Downcalls() {
    }

    /**
     * Links a C library function.
     *
     * @param name       the symbol
     * @param descriptor its C signature
     * @param options    for instance {@link #ERRNO_OPTION} and {@code firstVariadicArg}
     * @return the downcall handle; when the JVM denies this module native access, a handle of the same type
     *         that throws an {@link IllegalCallerException} naming the flag to add ({@link #denied})
     * @throws UnsupportedOperationException on an architecture other than x86_64 and aarch64
     */
    @SuppressWarnings("restricted") // linking against the C library is the point of this package's downcalls
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        if (!X86_64 && !AARCH64) {
            throw new UnsupportedOperationException("tracepoint supports Linux on x86_64 and aarch64, not os.arch="
                    + ARCH + " (os.name=" + System.getProperty("os.name") + ")");
        }
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library function not found: " + name));
        try {
            return LINKER.downcallHandle(symbol, descriptor, options);
        } catch (IllegalCallerException e) {
            return denied(name, descriptor, options, e);
        }
    }

    /**
     * What a downcall class gets in place of its handle when the JVM denies this module native access
     * ({@code --illegal-native-access=deny} without {@code --enable-native-access} for it): a handle of the
     * same type that throws {@link IllegalCallerException} naming the flag to add, each time it is called.
     * The downcall classes so still initialise, and every native call fails with that message, instead of an
     * {@link ExceptionInInitializerError} first and a {@link NoClassDefFoundError} for every call after it.
     *
     * @param name       the C function
     * @param descriptor its C signature
     * @param options    the linker options the real handle would have had (they add leading parameters)
     * @param cause      what the linker threw
     * @return a throwing handle of the downcall handle's type
     */
    static MethodHandle denied(String name, FunctionDescriptor descriptor, Linker.Option[] options, IllegalCallerException cause) {
        MethodType type = handleType(descriptor, options);
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), IllegalCallerException.class);
        MethodHandle create = MethodHandles.insertArguments(NATIVE_ACCESS_DENIED, 0, name, cause);
        return MethodHandles.dropArguments(MethodHandles.foldArguments(thrower, create), 0, type.parameterList());
    }

    /**
     * The type {@link Linker#downcallHandle} gives a handle: the descriptor's, with a leading
     * {@link SegmentAllocator} for a struct return and then a leading {@link MemorySegment} for the captured
     * call state.
     *
     * @param descriptor the C signature
     * @param options    the linker options
     * @return the handle's type
     */
    static MethodType handleType(FunctionDescriptor descriptor, Linker.Option... options) {
        MethodType type = descriptor.toMethodType();
        if (Arrays.asList(options).contains(ERRNO_OPTION)) {
            type = type.insertParameterTypes(0, MemorySegment.class);
        }
        if (descriptor.returnLayout().orElse(null) instanceof GroupLayout) {
            type = type.insertParameterTypes(0, SegmentAllocator.class);
        }
        return type;
    }

    private static final MethodHandle NATIVE_ACCESS_DENIED;

    static {
        try {
            NATIVE_ACCESS_DENIED = MethodHandles.lookup().findStatic(Downcalls.class, "nativeAccessDenied",
                    MethodType.methodType(IllegalCallerException.class, String.class, IllegalCallerException.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * @param function the C function the library was about to call
     * @param cause    what the linker threw when the handle was linked
     * @return the exception every call of a denied downcall throws
     */
    static IllegalCallerException nativeAccessDenied(String function, IllegalCallerException cause) {
        Module module = Downcalls.class.getModule();
        String who = module.isNamed() ? module.getName() : "ALL-UNNAMED";
        return new IllegalCallerException("native access is not enabled for " + (module.isNamed() ? "module " + who
                : who + " (the tracepoint library is on the class path)") + ": start java with --enable-native-access="
                + who + " (the JVM was started with --illegal-native-access=deny, so the library cannot call "
                + function + "() or any other C function without it)", cause);
    }

    /**
     * @param capture a call state's capture segment, after a downcall linked with {@link #ERRNO_OPTION}
     * @return the {@code errno} the call left
     */
    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /**
     * MethodHandle.invokeExact declares Throwable; nothing checked can come out of a downcall.
     *
     * @param t what {@code invokeExact} threw
     * @return a runtime exception to throw (an {@link Error} is thrown from here)
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
