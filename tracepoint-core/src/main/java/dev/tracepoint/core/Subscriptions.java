package dev.tracepoint.core;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.internal.dispatch.Dispatcher;
import dev.tracepoint.core.internal.session.PerfSession;
import dev.tracepoint.core.internal.session.StreamRuntime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registration bookkeeping of one {@link TracepointStream}'s tracepoints: its {@link Subscription}s by
 * {@code system:event}, in the order they were enabled, and what the stream opens from them (the session's
 * targets and the dispatcher's entries, {@link #toOpen()}). Not API (package-private: a subscription is made
 * here). Not thread-safe, like the stream's setup.
 */
final class Subscriptions {

    private final TracepointStream stream;
    private final Tracefs tracefs;
    private final Map<String, Subscription> byName = new LinkedHashMap<>();

    Subscriptions(TracepointStream stream, Tracefs tracefs) {
        this.stream = stream;
        this.tracefs = tracefs;
    }

    /** The subscription of a tracepoint, added (its format read from tracefs) when the stream has none yet. */
    Subscription enable(String tracepoint) throws TracepointException {
        String key = key(tracepoint);
        Subscription s = byName.get(key);
        if (s == null) {
            s = new Subscription(stream, key, tracefs.format(key));
            byName.put(key, s);
        }
        return s;
    }

    /** The format of a tracepoint the stream has, or else the one tracefs gives. */
    EventFormat format(String tracepoint) throws TracepointException {
        Subscription s = byName.get(key(tracepoint));
        return s != null ? s.format() : tracefs.format(tracepoint);
    }

    private static String key(String tracepoint) {
        String[] se = Tracefs.split(tracepoint);
        return se == null ? tracepoint : se[0] + ":" + se[1];
    }

    /** Throws when a subscription has an event listener: a stream has either those or one batch listener. */
    void checkNoEventListeners() {
        for (Subscription s : byName.values()) {
            if (!s.listeners().isEmpty()) {
                throw new IllegalStateException("the stream already has event listeners (" + s.name()
                        + "): a stream delivers either to event listeners or to one batch listener");
            }
        }
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    /** The tracepoints, {@code system:event}, in the order they were enabled. */
    List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** What the stream opens: each subscription as a session target and a dispatcher entry, in order. */
    StreamRuntime.Tracepoints toOpen() {
        List<PerfSession.Target> targets = new ArrayList<>();
        Dispatcher.Entry[] entries = new Dispatcher.Entry[byName.size()];
        int i = 0;
        for (Subscription s : byName.values()) {
            targets.add(new PerfSession.Target(s.name(), s.format(), s.filter()));
            entries[i++] = new Dispatcher.Entry(s.format(), s.listeners().toArray(new EventListener[0]));
        }
        return new StreamRuntime.Tracepoints(targets, entries);
    }
}
