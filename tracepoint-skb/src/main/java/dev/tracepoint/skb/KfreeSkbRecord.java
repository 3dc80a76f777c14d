package dev.tracepoint.skb;

/**
 * An immutable copy of one {@code skb:kfree_skb} event ({@link KfreeSkb#toRecord()}, {@link Drop#toRecord()}).
 *
 * @param cpu        the CPU the sample was recorded on
 * @param pid        the process (tgid) that was current: for a drop on receive, often the sender's, since
 *                   loopback and much of the stack run in the softirq of the task that sent
 * @param tid        the thread that was current
 * @param timeNanos  the sample time, CLOCK_MONOTONIC nanoseconds
 * @param skbaddr    the {@code struct sk_buff} address
 * @param location   the code address that dropped it
 * @param protocol   the ethertype, host byte order
 * @param reason     the drop reason value, or -1 when the kernel records none (before 5.17)
 * @param reasonName the kernel's name for the reason, its number when unnamed, {@code null} when none recorded
 * @param rxSk       the receiving socket, 0 when none or not recorded
 */
public record KfreeSkbRecord(int cpu, int pid, int tid, long timeNanos, long skbaddr, long location, int protocol,
                             int reason, String reasonName, long rxSk) implements DropRecord {

    /**
     * Tells whether {@link #reason()} and {@link #reasonName()} hold a reason: false on kernels before 5.17.
     *
     * @return whether the kernel recorded a reason
     */
    public boolean hasReason() {
        return reasonName != null;
    }

    /**
     * Names {@link #protocol()}, as {@link EtherTypes#format(int)} does.
     *
     * @return the protocol's name, or its hex value
     */
    public String protocolName() {
        return EtherTypes.format(protocol);
    }
}
