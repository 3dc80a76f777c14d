package dev.tracepoint.core.probe;

import dev.tracepoint.core.internal.probe.DynamicEvents;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A probe defined in tracefs, until {@link #close()} removes its definition. Its {@link #tracepoint()} name
 * subscribes like any tracepoint. {@link Probes#enable} ties one to a stream, which closes it.
 */
public final class ProbeDefinition implements AutoCloseable {

    private final DynamicEvents events;
    private final String group;
    private final String event;
    private final String definition;
    private boolean removed;

    ProbeDefinition(DynamicEvents events, String group, String event, String definition) {
        this.events = events;
        this.group = group;
        this.event = event;
        this.definition = definition;
    }

    /** {@return the event's name as a tracepoint: {@code tp_<pid>:<event>}} */
    public String tracepoint() {
        return group + ":" + event;
    }

    /** {@return the line written to tracefs, such as {@code p:tp_42/nanosleep /usr/lib/libc.so.6:0xe5e30 sec=+0(%di):s64}} */
    public String definition() {
        return definition;
    }

    /** {@return whether {@link #close()} has removed it} */
    public synchronized boolean isRemoved() {
        return removed;
    }

    /**
     * Removes the definition; idempotent. Perf events still open on the probe keep the kernel from removing it.
     *
     * @throws UncheckedIOException when the kernel refuses the removal (the probe is still in use), naming it
     */
    @Override
    public synchronized void close() {
        if (removed) {
            return;
        }
        if (!events.exists(group, event)) {
            removed = true;
            return;
        }
        try {
            events.remove(group, event);
            removed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove probe " + tracepoint() + " (still in use?): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ProbeDefinition[" + definition + (isRemoved() ? ", removed" : "") + "]";
    }
}
