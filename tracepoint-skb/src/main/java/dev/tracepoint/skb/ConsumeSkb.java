package dev.tracepoint.skb;

import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.decode.TracepointField;

/**
 * {@code skb:consume_skb}: the kernel freed a packet it was done with (delivered, transmitted): not a drop.
 * Bound by field name to the running kernel's layout; {@code location} exists from Linux 6.3 on.
 *
 * <p>A flyweight valid only during the listener call, allocation-free; keep {@link #toRecord()} instead.
 */
public interface ConsumeSkb extends TracepointEvent {

    /** The tracepoint this interface reads. */
    String TRACEPOINT = "skb:consume_skb";

    /**
     * The packet's kernel address, field {@code skbaddr}: matches the same packet across skb tracepoints.
     *
     * @return the address of the {@code struct sk_buff}
     */
    long skbaddr();

    /**
     * Where in the kernel the packet was freed, field {@code location}; name it with
     * {@link dev.tracepoint.core.KernelSymbols}.
     *
     * @return the code address that freed it
     * @throws IllegalStateException when the kernel's format has no location ({@link #hasLocation()} is false)
     */
    @TracepointField(optional = true)
    long location();

    /**
     * Tells whether the running kernel's format has the {@code location} field (Linux 6.3+).
     *
     * @return whether the running kernel records the location
     */
    boolean hasLocation();

    /**
     * Copies the current event, to keep it after the listener call.
     *
     * @return an immutable copy of this event and its sample metadata (allocates); location 0 when not
     *         recorded
     */
    default ConsumeSkbRecord toRecord() {
        return new ConsumeSkbRecord(cpu(), pid(), tid(), timeNanos(), skbaddr(), hasLocation() ? location() : 0);
    }
}
