package dev.tracepoint.core.internal.perf;

import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The handle a downcall class gets when the JVM denies native access: the real handle's type exactly (the
 * classes call it with invokeExact), and an exception naming the flag on every call. The denial itself, in a
 * JVM started with {@code --illegal-native-access=deny}, is {@code NativeAccessDeniedIT}'s.
 */
class DeniedDowncallTest {

    private record Shape(String function, FunctionDescriptor descriptor, Linker.Option[] options) {
    }

    @Test
    void theDeniedHandleHasTheTypeTheLinkerGives() {
        List<Shape> shapes = List.of(
                new Shape("getpagesize", FunctionDescriptor.of(JAVA_INT), new Linker.Option[0]),
                new Shape("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), new Linker.Option[] {Downcalls.ERRNO_OPTION}),
                new Shape("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
                        new Linker.Option[] {Downcalls.ERRNO_OPTION}),
                new Shape("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                        new Linker.Option[] {Downcalls.ERRNO_OPTION, Linker.Option.firstVariadicArg(1)}),
                // div_t div(int, int): a struct return adds a leading SegmentAllocator, before the call state
                new Shape("div", FunctionDescriptor.of(MemoryLayout.structLayout(JAVA_INT, JAVA_INT), JAVA_INT, JAVA_INT),
                        new Linker.Option[] {Downcalls.ERRNO_OPTION}));
        for (Shape s : shapes) {
            MethodHandle real = Downcalls.downcall(s.function(), s.descriptor(), s.options());
            MethodHandle denied = Downcalls.denied(s.function(), s.descriptor(), s.options(), new IllegalCallerException("test"));
            assertThat(denied.type()).as(s.function()).isEqualTo(real.type());
        }
    }

    @Test
    void everyCallOfADeniedHandleThrowsANewExceptionNamingTheFlag() throws Throwable {
        FunctionDescriptor close = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
        IllegalCallerException cause = new IllegalCallerException("Illegal native access from an unnamed module");
        MethodHandle denied = Downcalls.denied("close", close, new Linker.Option[] {Downcalls.ERRNO_OPTION}, cause);
        IllegalCallerException[] thrown = new IllegalCallerException[2];
        for (int i = 0; i < 2; i++) {
            try {
                int ignored = (int) denied.invokeExact(MemorySegment.NULL, 3);
                throw new AssertionError("returned " + ignored);
            } catch (IllegalCallerException e) {
                thrown[i] = e;
            }
        }
        // the tests run on the class path: the library is in the unnamed module
        assertThat(thrown[0]).hasMessage("native access is not enabled for ALL-UNNAMED (the tracepoint library is on"
                        + " the class path): start java with --enable-native-access=ALL-UNNAMED (the JVM was started with"
                        + " --illegal-native-access=deny, so the library cannot call close() or any other C function without it)")
                .hasCause(cause);
        assertThat(thrown[1]).isNotSameAs(thrown[0]).hasMessage(thrown[0].getMessage());
        assertThatThrownBy(() -> denied.invokeWithArguments(MemorySegment.NULL, 4)).isInstanceOf(IllegalCallerException.class);
    }
}
