package dev.tracepoint.core.internal.jfr;

import dev.tracepoint.core.EventListener;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.Field;

import jdk.jfr.Event;
import jdk.jfr.EventFactory;

import java.util.List;

/**
 * Turns one tracepoint's events into committed JFR events: an event listener of its subscription. One event
 * instance of the type is reused for every commit (the consumer thread is its only user, and an event committed
 * without {@code begin()} takes its start time at each commit), so a committed event allocates only its
 * strings and the boxes of {@code Event.set(int, Object)}, which the JIT removes where it inlines the call. An
 * event type no recording enables costs one {@code isEnabled()} check.
 */
public final class JfrForwarder implements EventListener {

    private final Event event;
    private final JfrEventPlan.Kind[] kinds;
    private final Field[] fields;
    private final JfrClock clock;
    private final TaskNames names;
    private final StringBuilder text = new StringBuilder(64);
    /** Events committed (consumer thread; read racily by the statistics). */
    private long committed;

    /**
     * @param factory the event type's factory
     * @param plan    its plan
     * @param clock   the JVM's tick conversion
     * @param names   the task names, when the plan has {@code currentComm}; else null
     */
    public JfrForwarder(EventFactory factory, JfrEventPlan plan, JfrClock clock, TaskNames names) {
        this.event = factory.newEvent();
        List<JfrEventPlan.Slot> slots = plan.slots();
        this.kinds = new JfrEventPlan.Kind[slots.size()];
        this.fields = new Field[slots.size()];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = slots.get(i).kind();
            fields[i] = slots.get(i).field();
        }
        this.clock = clock;
        this.names = names;
    }

    @Override
    public void onEvent(EventView v) {
        Event e = event;
        if (!e.isEnabled() || !e.shouldCommit()) {
            return;
        }
        JfrEventPlan.Kind[] k = kinds;
        for (int i = 0; i < k.length; i++) {
            set(e, i, k[i], fields[i], v);
        }
        e.commit();
        committed++;
    }

    private void set(Event e, int i, JfrEventPlan.Kind kind, Field f, EventView v) {
        switch (kind) {
            case META_TICKS -> e.set(i, clock.ticks(v.timeNanos()));
            case META_NANOS -> e.set(i, v.timeNanos());
            case META_CPU -> e.set(i, v.cpu());
            case META_PID -> e.set(i, v.pid());
            case META_TID -> e.set(i, v.tid());
            case META_COMM -> e.set(i, names.name(v.pid(), v.tid()));
            case BYTE -> e.set(i, (byte) v.getLong(f));
            case SHORT -> e.set(i, (short) v.getLong(f));
            case INT -> e.set(i, (int) v.getLong(f));
            case LONG -> e.set(i, v.getLong(f));
            case BOOLEAN -> e.set(i, v.getLong(f) != 0);
            case STRING -> e.set(i, v.getString(f));
            case SYMBOL -> e.set(i, f.table().nameOf(v.getLong(f)));
            case FLAGS -> e.set(i, f.table().format(v.getLong(f)));
            case ARRAY_TEXT -> e.set(i, arrayText(v, f));
            case HEX -> e.set(i, hex(v, f));
        }
    }

    private String arrayText(EventView v, Field f) {
        int n = v.elementCount(f);
        StringBuilder sb = text;
        sb.setLength(0);
        if (f.elementSize() == 1) {
            for (int j = 0; j < n; j++) {
                int b = (int) v.getElement(f, j) & 0xff;
                sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return sb.toString();
        }
        sb.append('[');
        for (int j = 0; j < n; j++) {
            if (j > 0) {
                sb.append(", ");
            }
            long x = v.getElement(f, j);
            if (f.signed()) {
                sb.append(x);
            } else {
                sb.append(Long.toUnsignedString(f.elementSize() == 8 ? x : x & ((1L << (8 * f.elementSize())) - 1)));
            }
        }
        return sb.append(']').toString();
    }

    private String hex(EventView v, Field f) {
        byte[] b = v.getBytes(f);
        StringBuilder sb = text;
        sb.setLength(0);
        for (byte x : b) {
            sb.append(Character.forDigit((x >>> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    /** {@return the events committed so far (as of the consumer's last one)} */
    public long committed() {
        return committed;
    }

    /** {@return the event type's reused instance, for its {@code EventType}} */
    Event event() {
        return event;
    }
}
