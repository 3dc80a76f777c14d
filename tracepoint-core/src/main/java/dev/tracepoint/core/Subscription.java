package dev.tracepoint.core;

import dev.tracepoint.core.decode.EventBinding;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One tracepoint of a {@link TracepointStream}, set up in one chain from {@link TracepointStream#enable}: its
 * format, its kernel-side filter, its listeners and typed bindings.
 *
 * {@snippet :
 * Subscription kills = stream.enable("signal:signal_generate").filter("sig == 9");
 * Field comm = kills.format().requireField("comm");
 * kills.onEvent(e -> System.out.println("SIGKILL to " + e.getString(comm)));
 * }
 *
 * <p>Set it up before the stream opens; afterwards every setter throws {@link IllegalStateException}.
 * {@link #format()} and {@link #name()} may be read at any time. Not thread-safe, like the stream's setup.
 */
public final class Subscription {

    private final TracepointStream stream;
    private final String name;
    private final EventFormat format;
    private final List<EventListener> listeners = new ArrayList<>();
    private String filter;

    Subscription(TracepointStream stream, String name, EventFormat format) {
        this.stream = stream;
        this.name = name;
        this.format = format;
    }

    /**
     * The tracepoint this subscription enables, as the stream names it.
     *
     * @return the tracepoint, {@code system:event}
     */
    public String name() {
        return name;
    }

    /**
     * The record layout of this tracepoint as the running kernel's format file gives it, parsed when the
     * tracepoint was enabled.
     *
     * @return the running kernel's layout of this tracepoint: look fields up here once, before events flow
     */
    public EventFormat format() {
        return format;
    }

    /**
     * Sets the kernel-side filter ({@code PERF_EVENT_IOC_SET_FILTER}, ftrace filter syntax, for example
     * {@code "sig == 9 && pid != 1"}): events it rejects never cross into user space. The kernel checks it when
     * the stream opens ({@link InvalidFilterException}). To build one from user input, use {@link #filter(Filter)}.
     *
     * @param expression the filter; {@code null} or blank for none
     * @return this subscription
     */
    public Subscription filter(String expression) {
        stream.checkNotOpen();
        this.filter = expression == null || expression.isBlank() ? null : expression;
        return this;
    }

    /**
     * Sets a kernel-side filter built with {@link Filter}, checked now against this tracepoint's format (field
     * names, and strings compared with string fields), so values from user input cannot change the expression.
     *
     * @param filter the filter; {@code null} for none
     * @return this subscription
     * @throws IllegalArgumentException when the filter names a field the tracepoint does not have, or compares
     *                                  a field with a value of the wrong type
     */
    public Subscription filter(Filter filter) {
        stream.checkNotOpen();
        this.filter = filter == null ? null : filter.toString(format);
        return this;
    }

    /**
     * The filter that will be set on the kernel's events when the stream opens, in ftrace syntax.
     *
     * @return the kernel-side filter, or null when there is none
     */
    public String filter() {
        return filter;
    }

    /**
     * Adds a listener, called for each event of this tracepoint on the consumer thread, after the listeners
     * added before it.
     *
     * @param listener the listener
     * @return this subscription
     * @throws IllegalStateException when the stream has a batch listener, or is open
     */
    public Subscription onEvent(EventListener listener) {
        Objects.requireNonNull(listener, "listener");
        stream.checkNotOpen();
        stream.checkNoBatch();
        listeners.add(listener);
        return this;
    }

    /**
     * Adds a typed listener: {@code type}'s accessors are bound to the running kernel's layout now (see
     * {@link EventBinding}), so a missing required field fails here, not per event.
     *
     * @param type     an interface whose accessors name the tracepoint's fields: on the module path, public and
     *                 in a package exported to {@code dev.tracepoint.core}, or else bound with
     *                 {@link #onEvent(Class, MethodHandles.Lookup, TypedListener)}
     * @param listener called with a reused typed flyweight for each event
     * @param <T>      the interface
     * @return this subscription
     * @throws IllegalArgumentException naming the missing fields or ill-typed accessors, or the {@code exports}
     *                                  line the interface's module lacks
     * @throws IllegalStateException    when the stream has a batch listener, or is open
     */
    public <T> Subscription onEvent(Class<T> type, TypedListener<T> listener) {
        checkTyped(listener);
        return typed(EventBinding.of(type, format), listener);
    }

    /**
     * Adds a typed listener, bound with your module's lookup: the accessor class is defined in the lookup's
     * package, so an interface in a package your module does not export (on the module path) binds without
     * an {@code exports ... to dev.tracepoint.core} line (see
     * {@link EventBinding#of(Class, EventFormat, MethodHandles.Lookup)}).
     *
     * {@snippet :
     * stream.enable("signal:signal_generate").onEvent(Kill.class, MethodHandles.lookup(), e -> log(e.sig()));
     * }
     *
     * @param type     an interface whose accessors name the tracepoint's fields, accessible from {@code lookup}
     * @param lookup   {@link MethodHandles#lookup()}, called in your code (full privilege access)
     * @param listener called with a reused typed flyweight for each event
     * @param <T>      the interface
     * @return this subscription
     * @throws IllegalArgumentException naming the missing fields or ill-typed accessors, or a lookup that lacks
     *                                  full privilege access or cannot access {@code type}
     * @throws IllegalStateException    when the stream has a batch listener, or is open
     */
    public <T> Subscription onEvent(Class<T> type, MethodHandles.Lookup lookup, TypedListener<T> listener) {
        checkTyped(listener);
        return typed(EventBinding.of(type, format, lookup), listener);
    }

    private void checkTyped(TypedListener<?> listener) {
        Objects.requireNonNull(listener, "listener");
        stream.checkNotOpen();
        stream.checkNoBatch();
    }

    private <T> Subscription typed(EventBinding<T> binding, TypedListener<T> listener) {
        listeners.add(new TypedAdapter<>(binding.attach(stream.view()), listener));
        return this;
    }

    /**
     * A typed flyweight over the stream's view, for a {@link BatchListener}: it reads the event
     * {@link EventBatch#next()} moved to, with accessors bound to the running kernel's layout now (see
     * {@link EventBinding}). No side effect on the stream.
     *
     * @param type an interface whose accessors name the tracepoint's fields: on the module path, public and in
     *             a package exported to {@code dev.tracepoint.core}, or else bound with
     *             {@link #bind(Class, MethodHandles.Lookup)}
     * @param <T>  the interface
     * @return the flyweight; read it only while the batch is on an event of this tracepoint
     * @throws IllegalArgumentException naming the missing fields or ill-typed accessors, or the {@code exports}
     *                                  line the interface's module lacks
     */
    public <T> T bind(Class<T> type) {
        return EventBinding.of(type, format).attach(stream.view());
    }

    /**
     * {@link #bind(Class)} with your module's lookup, for an interface in a package your module does not
     * export to {@code dev.tracepoint.core} (see {@link EventBinding#of(Class, EventFormat, MethodHandles.Lookup)}).
     *
     * @param type   an interface whose accessors name the tracepoint's fields, accessible from {@code lookup}
     * @param lookup {@link MethodHandles#lookup()}, called in your code (full privilege access)
     * @param <T>    the interface
     * @return the flyweight; read it only while the batch is on an event of this tracepoint
     * @throws IllegalArgumentException naming the missing fields or ill-typed accessors, or a lookup that lacks
     *                                  full privilege access or cannot access {@code type}
     */
    public <T> T bind(Class<T> type, MethodHandles.Lookup lookup) {
        return EventBinding.of(type, format, lookup).attach(stream.view());
    }

    /**
     * The stream that enabled this subscription, so that a setup chain can go on.
     *
     * @return the stream this subscription belongs to, to go on with the next tracepoint
     */
    public TracepointStream stream() {
        return stream;
    }

    List<EventListener> listeners() {
        return listeners;
    }

    @Override
    public String toString() {
        return "Subscription[" + name + (filter != null ? ", filter=" + filter : "") + ", listeners=" + listeners.size() + "]";
    }

    /** Calls a typed listener with the flyweight bound to the stream's view. */
    private record TypedAdapter<T>(T bound, TypedListener<T> listener) implements EventListener {
        @Override
        public void onEvent(EventView event) {
            listener.onEvent(bound);
        }
    }
}
