package dev.tracepoint.skb;

import dev.tracepoint.core.decode.TracepointEvent;
import dev.tracepoint.core.decode.TracepointField;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.ValueTable;

/**
 * {@code skb:kfree_skb}: the kernel freed a packet because it dropped it. A typed view bound by field name to
 * the running kernel's layout (see {@link dev.tracepoint.core.decode.EventBinding}), so it decodes every
 * layout the tracepoint has had: {@code protocol} before {@code location} (2.6.3x), the 12-byte common header
 * (to 3.x), {@code reason} (5.17+), {@code rx_sk} in the middle (6.11+), 4-byte pointers on 32-bit kernels.
 *
 * {@snippet :
 * try (TracepointStream stream = TracepointStream.builder().build()) {
 *     KernelSymbols symbols = KernelSymbols.system();
 *     stream.onEvent(KfreeSkb.TRACEPOINT, KfreeSkb.class, drop -> {
 *         if (drop.hasReason()) {
 *             System.out.println(drop.reasonName() + " at " + symbols.symbolize(drop.location())
 *                     + " (" + drop.protocolName() + ", pid " + drop.pid() + ")");
 *         }
 *     });
 *     stream.start();
 * }
 * }
 *
 * <p>The accessors read the reused record in place and allocate nothing (except {@link #reasonName()} for a
 * value the kernel's table does not name, and the default methods that build objects). The instance is a
 * flyweight valid only during the listener call: keep {@link #toRecord()} instead.
 */
public interface KfreeSkb extends TracepointEvent {

    /** The tracepoint this interface reads. */
    String TRACEPOINT = "skb:kfree_skb";

    /**
     * The packet's kernel address, field {@code skbaddr}: matches the same packet across skb tracepoints.
     *
     * @return the address of the {@code struct sk_buff} (an identity while it lives, reused afterwards)
     */
    long skbaddr();

    /**
     * Where in the kernel the packet was dropped, field {@code location}.
     *
     * @return the code address that dropped the packet ({@code __builtin_return_address(0)} of the free call):
     *         symbolize it with {@link dev.tracepoint.core.KernelSymbols}
     */
    long location();

    /**
     * The packet's link-layer protocol, field {@code protocol}.
     *
     * @return {@code ntohs(skb->protocol)}: the ethertype in host byte order (see {@link EtherTypes})
     */
    int protocol();

    /**
     * Why the kernel dropped the packet, field {@code reason}.
     *
     * @return the {@code enum skb_drop_reason} value (Linux 5.17+; numbering differs between releases: use
     *         {@link #reasonName()} or {@link DropReasons})
     * @throws IllegalStateException when the kernel records no reason ({@link #hasReason()} is false)
     */
    @TracepointField(optional = true)
    int reason();

    /**
     * Tells whether the running kernel's format has the {@code reason} field (Linux 5.17+).
     *
     * @return whether the running kernel records drop reasons
     */
    boolean hasReason();

    /**
     * The reason's name from the kernel's own {@code __print_symbolic} table, as its print fmt shows it.
     * Allocation-free for a named value.
     *
     * @return the name ({@code "NO_SOCKET"}), or the decimal number when the table has no entry for the value
     *         (subsystem-encoded reasons) or the format has no table
     * @throws IllegalStateException when the kernel records no reason ({@link #hasReason()} is false)
     */
    default String reasonName() {
        // Read the table of the record's own format (not of a cached binding): formats with equal fields can
        // still number their reasons differently.
        Field f = view().format().field(DropReasons.FIELD);
        if (f == null) {
            throw new IllegalStateException("field 'reason' is absent from this kernel's format of " + TRACEPOINT
                    + " (drop reasons came with Linux 5.17; check hasReason() first)");
        }
        long value = reason() & 0xffff_ffffL;
        ValueTable table = f.table();
        String name = table == null ? null : table.nameOf(value);
        return name != null ? name : Long.toString(value);
    }

    /**
     * The socket the packet was received for, field {@code rx_sk}.
     *
     * @return the receiving socket, when the drop happened on receive after socket lookup (Linux 6.11+), else 0
     * @throws IllegalStateException when the kernel's format has no {@code rx_sk} ({@link #hasRxSk()} is false)
     */
    @TracepointField(optional = true)
    long rxSk();

    /**
     * Tells whether the running kernel's format has the {@code rx_sk} field (Linux 6.11+).
     *
     * @return whether the running kernel records the receiving socket
     */
    boolean hasRxSk();

    /**
     * Names {@link #protocol()}, as {@link EtherTypes#format(int)} does.
     *
     * @return the protocol's name ({@code "IPv4"}), or its hex value when it has none; allocation-free for
     *         known names
     */
    default String protocolName() {
        return EtherTypes.format(protocol());
    }

    /**
     * Copies the current drop, to keep it after the listener call; the reason is named with this record's
     * own format.
     *
     * @return an immutable copy of this drop and its sample metadata (allocates)
     */
    default KfreeSkbRecord toRecord() {
        boolean r = hasReason();
        int reason = r ? reason() : -1;
        String name = r ? reasonName() : null;
        return new KfreeSkbRecord(cpu(), pid(), tid(), timeNanos(), skbaddr(), location(), protocol(), reason, name,
                hasRxSk() ? rxSk() : 0);
    }
}
