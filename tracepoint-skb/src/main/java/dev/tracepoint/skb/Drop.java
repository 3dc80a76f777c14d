package dev.tracepoint.skb;

import dev.tracepoint.core.KernelSymbols;

/**
 * One packet drop (or, with {@link DropMonitorBuilder#includeConsumed(boolean)}, one consumed packet) as a
 * {@link DropMonitor} hands it to its {@link DropListener}: the fields of {@code skb:kfree_skb} or
 * {@code skb:consume_skb} under one shape, read in place.
 *
 * <p>A flyweight, like the typed {@link KfreeSkb} and {@link ConsumeSkb} it reads: the monitor reuses one
 * instance for every event, and it is valid only during the listener call. Its accessors allocate nothing,
 * except those documented to build a {@code String} for an unnamed value; {@link #toRecord()} gives an
 * immutable copy, a {@link DropRecord}. Not thread-safe.
 */
public final class Drop {

    /** The pseudo reason name of a consumed (not dropped) packet. */
    public static final String CONSUMED = "CONSUMED";

    private final DropReasons reasons;
    private KernelSymbols symbols;
    private final boolean kfreeHasReason;
    private final boolean kfreeHasRxSk;
    private final boolean consumeHasLocation;
    private KfreeSkb kfree;
    private ConsumeSkb consume;
    private boolean consumed;

    Drop(DropReasons reasons, boolean kfreeHasReason, boolean kfreeHasRxSk, boolean consumeHasLocation) {
        this.reasons = reasons;
        this.kfreeHasReason = kfreeHasReason;
        this.kfreeHasRxSk = kfreeHasRxSk;
        this.consumeHasLocation = consumeHasLocation;
    }

    void symbols(KernelSymbols table) {
        this.symbols = table;
    }

    /** Moves to a drop: the bound flyweight is the same object for every event, the assignment is a formality. */
    Drop moveTo(KfreeSkb drop) {
        kfree = drop;
        consumed = false;
        return this;
    }

    Drop moveTo(ConsumeSkb packet) {
        consume = packet;
        consumed = true;
        return this;
    }

    /**
     * The tracepoint that fired, which tells a drop from a consumed packet.
     *
     * @return {@code "skb:kfree_skb"}, or {@code "skb:consume_skb"} for a consumed packet
     */
    public String tracepoint() {
        return consumed ? ConsumeSkb.TRACEPOINT : KfreeSkb.TRACEPOINT;
    }

    /**
     * Tells whether the kernel was done with the packet rather than dropping it; only a monitor that
     * includes consumed packets hands these on.
     *
     * @return whether this is a consumed packet ({@code consume_skb}), not a drop
     */
    public boolean consumed() {
        return consumed;
    }

    /**
     * Tells whether this event carries a drop reason.
     *
     * @return whether {@link #reason()} is meaningful: a drop on a kernel that records reasons (5.17+)
     */
    public boolean hasReason() {
        return !consumed && kfreeHasReason;
    }

    /**
     * Why the kernel dropped the packet, as the number of {@code enum skb_drop_reason} of the running kernel:
     * numbers differ across kernels, so compare names ({@link #reasonName()}, {@link DropReasons}).
     *
     * @return the drop reason value, or -1 for a consumed packet or a kernel without reasons
     */
    public int reason() {
        return hasReason() ? kfree.reason() : -1;
    }

    /**
     * Why the kernel dropped the packet, named from the running kernel's own table.
     *
     * @return the reason's name from the kernel's table ({@code "NO_SOCKET"}); its decimal number when the
     *         table has none (allocates); {@link #CONSUMED} for a consumed packet; {@code null} when the kernel
     *         records no reasons
     */
    public String reasonName() {
        if (consumed) {
            return CONSUMED;
        }
        return kfreeHasReason ? reasons.format(kfree.reason() & 0xffff_ffffL) : null;
    }

    /**
     * Appends {@link #reasonName()} without allocating ({@code "-"} when the kernel records no reasons).
     *
     * @param sb the output
     * @return {@code sb}
     */
    public StringBuilder appendReasonName(StringBuilder sb) {
        if (consumed) {
            return sb.append(CONSUMED);
        }
        return kfreeHasReason ? reasons.append(sb, kfree.reason() & 0xffff_ffffL) : sb.append('-');
    }

    /**
     * Tells whether this event records where the packet was freed.
     *
     * @return whether {@link #location()} is known (always for drops; consumed packets from Linux 6.3)
     */
    public boolean hasLocation() {
        return !consumed || consumeHasLocation;
    }

    /**
     * Where in the kernel the packet was freed: {@link #symbol()} names the function.
     *
     * @return the code address that freed the packet, 0 when unknown
     */
    public long location() {
        if (consumed) {
            return consumeHasLocation ? consume.location() : 0;
        }
        return kfree.location();
    }

    /**
     * Names the function that freed the packet, with the monitor's {@link KernelSymbols}.
     *
     * @return the location as {@code %pS} prints it ({@code "__udp4_lib_rcv+0x4bc/0xd00"}), allocates;
     *         {@code null} when unknown
     */
    public String symbol() {
        return hasLocation() ? symbols.symbolize(location()) : null;
    }

    /**
     * Appends the location as {@code %pS} prints it, without allocating ({@code "-"} when unknown).
     *
     * @param sb the output
     * @return {@code sb}
     */
    public StringBuilder appendSymbol(StringBuilder sb) {
        return hasLocation() ? symbols.appendSymbol(sb, location()) : sb.append('-');
    }

    /**
     * Tells whether this event records the packet's protocol.
     *
     * @return whether {@link #protocol()} is known (drops only: consume_skb does not record it)
     */
    public boolean hasProtocol() {
        return !consumed;
    }

    /**
     * The packet's link-layer protocol, the {@code skb->protocol} the kernel recorded (see {@link EtherTypes}).
     *
     * @return the ethertype, host byte order; -1 for a consumed packet
     */
    public int protocol() {
        return consumed ? -1 : kfree.protocol();
    }

    /**
     * Names the packet's protocol, as {@link EtherTypes#format(int)} does.
     *
     * @return the protocol name ({@code "IPv4"}), its hex value when unnamed, {@code null} for a consumed packet
     */
    public String protocolName() {
        return consumed ? null : EtherTypes.format(kfree.protocol());
    }

    /**
     * The packet's kernel address: matches the same packet across skb tracepoints.
     *
     * @return the {@code struct sk_buff} address
     */
    public long skbaddr() {
        return consumed ? consume.skbaddr() : kfree.skbaddr();
    }

    /**
     * Tells whether this event records the receiving socket.
     *
     * @return whether {@link #rxSk()} is recorded: a drop on a kernel with {@code rx_sk} (Linux 6.11+)
     */
    public boolean hasRxSk() {
        return !consumed && kfreeHasRxSk;
    }

    /**
     * The kernel address of the socket the packet was received for, if the kernel had found one.
     *
     * @return the receiving socket of a drop (Linux 6.11+), 0 when none or unknown
     */
    public long rxSk() {
        return !consumed && kfreeHasRxSk ? kfree.rxSk() : 0;
    }

    /**
     * The CPU the packet was freed on.
     *
     * @return the CPU the sample was recorded on
     */
    public int cpu() {
        return consumed ? consume.cpu() : kfree.cpu();
    }

    /**
     * The process running when the packet was freed; in softirq context, whichever process the interrupt
     * hit, not necessarily the packet's owner.
     *
     * @return the process (tgid) that was current when the packet was freed
     */
    public int pid() {
        return consumed ? consume.pid() : kfree.pid();
    }

    /**
     * The thread running when the packet was freed.
     *
     * @return the thread that was current
     */
    public int tid() {
        return consumed ? consume.tid() : kfree.tid();
    }

    /**
     * When the packet was freed.
     *
     * @return the sample time, CLOCK_MONOTONIC nanoseconds
     */
    public long timeNanos() {
        return consumed ? consume.timeNanos() : kfree.timeNanos();
    }

    /**
     * The {@code kfree_skb} flyweight this drop reads, for fields the common shape does not have.
     *
     * @return the typed drop event, or {@code null} for a consumed packet
     */
    public KfreeSkb kfreeSkb() {
        return consumed ? null : kfree;
    }

    /**
     * The {@code consume_skb} flyweight this consumed packet reads.
     *
     * @return the typed consume event, or {@code null} for a drop
     */
    public ConsumeSkb consumeSkb() {
        return consumed ? consume : null;
    }

    /**
     * Copies the current event, to keep it after the listener call.
     *
     * @return an immutable copy (allocates): a {@link KfreeSkbRecord}, or a {@link ConsumeSkbRecord} for a
     *         consumed packet
     */
    public DropRecord toRecord() {
        return consumed ? consume.toRecord() : kfree.toRecord();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(128).append(tracepoint()).append(": ");
        appendReasonName(sb).append(" at ");
        appendSymbol(sb);
        if (!consumed) {
            sb.append(" protocol=");
            EtherTypes.append(sb, kfree.protocol());
        }
        return sb.append(" pid=").append(pid()).append(" cpu=").append(cpu()).toString();
    }
}
