package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.decode.EventView;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * One listener behind a call site of its own. The dispatcher calls every listener from one place, and a real
 * stream's warm-up has called several classes there, so that call is megamorphic: an interface call through
 * HotSpot's itable stub for every record, 12% of the consumer thread's CPU in a sampled profile of the
 * end-to-end run. Each slot is a fresh copy of {@link Slot}'s code, defined as a hidden class, so it has its
 * own profile: the dispatcher's call becomes a virtual call on this abstract class (a vtable stub, a fixed
 * offset instead of an itable scan), and the call inside the copy sees one listener class only, which the JIT
 * inlines. A copy is compiled when the real events make it hot; until then it is interpreted, like the
 * listener itself.
 */
public abstract class ListenerSlot {

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final byte[] TEMPLATE = template();

    ListenerSlot() {
    }

    /**
     * Calls the listener.
     *
     * @param view the current event
     */
    public abstract void deliver(EventView view);

    /** @return the listener this slot calls */
    public abstract EventListener listener();

    /**
     * @param listener the listener
     * @return a slot with a call site of its own for {@code listener}; a shared one if no class can be defined
     */
    public static ListenerSlot of(EventListener listener) {
        if (TEMPLATE != null) {
            try {
                Class<?> copy = LOOKUP.defineHiddenClass(TEMPLATE, true).lookupClass();
                MethodHandle ctor = LOOKUP.findConstructor(copy, MethodType.methodType(void.class, EventListener.class));
                return (ListenerSlot) ctor.invoke(listener);
            } catch (Throwable e) {
                if (e instanceof Error err && !(err instanceof LinkageError)) {
                    throw err;
                }
                // fall through: the shared class is correct, only slower
            }
        }
        return new Slot(listener);
    }

    private static byte[] template() {
        String name = Slot.class.getName();
        try (InputStream in = Slot.class.getResourceAsStream(name.substring(name.lastIndexOf('.') + 1) + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    /** The code every slot copies. */
    static final class Slot extends ListenerSlot {
        private final EventListener listener;

        Slot(EventListener listener) {
            this.listener = listener;
        }

        @Override
        public void deliver(EventView view) {
            listener.onEvent(view);
        }

        @Override
        public EventListener listener() {
            return listener;
        }
    }
}
