package dev.tracepoint.core.internal.dispatch;

import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.decode.EventView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each listener gets a call site of its own: a hidden copy of the slot class, calling exactly that listener. */
class ListenerSlotTest {

    @Test
    void eachSlotIsItsOwnHiddenClassAndCallsItsListener() {
        List<String> calls = new ArrayList<>();
        EventListener a = e -> calls.add("a");
        EventListener b = e -> calls.add("b");
        ListenerSlot sa = ListenerSlot.of(a);
        ListenerSlot sb = ListenerSlot.of(b);
        ListenerSlot sa2 = ListenerSlot.of(a);
        assertThat(sa.getClass().isHidden()).isTrue();
        assertThat(sa.getClass()).isNotEqualTo(sb.getClass()).isNotEqualTo(sa2.getClass());
        assertThat(sa.listener()).isSameAs(a);
        EventView view = new EventView();
        sa.deliver(view);
        sb.deliver(view);
        sa2.deliver(view);
        assertThat(calls).containsExactly("a", "b", "a");
    }

    @Test
    void aListenersExceptionReachesTheCaller() {
        ListenerSlot s = ListenerSlot.of(e -> {
            throw new IllegalStateException("listener failed");
        });
        assertThatThrownBy(() -> s.deliver(new EventView()))
                .isInstanceOf(IllegalStateException.class).hasMessage("listener failed");
    }
}
