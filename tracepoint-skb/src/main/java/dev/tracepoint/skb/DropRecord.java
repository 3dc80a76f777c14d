package dev.tracepoint.skb;

/**
 * An immutable copy of one drop or consumed packet, as {@link Drop#toRecord()} makes it: a
 * {@link KfreeSkbRecord} for a drop, a {@link ConsumeSkbRecord} for a consumed packet. Safe to keep and to
 * hand to other threads.
 *
 * {@snippet :
 * switch (drop.toRecord()) {
 *     case KfreeSkbRecord d -> System.out.println("dropped: " + d.reasonName());
 *     case ConsumeSkbRecord c -> System.out.println("consumed at " + Long.toHexString(c.location()));
 * }
 * }
 */
public sealed interface DropRecord permits KfreeSkbRecord, ConsumeSkbRecord {

    /**
     * The CPU the packet was freed on.
     *
     * @return the CPU the sample was recorded on
     */
    int cpu();

    /**
     * The process running when the packet was freed; in softirq context, whichever process the interrupt
     * hit, not necessarily the packet's owner.
     *
     * @return the process (tgid) that was current when the packet was freed
     */
    int pid();

    /**
     * The thread running when the packet was freed.
     *
     * @return the thread that was current
     */
    int tid();

    /**
     * When the packet was freed.
     *
     * @return the sample time, CLOCK_MONOTONIC nanoseconds
     */
    long timeNanos();

    /**
     * The packet's kernel address: matches the same packet across skb tracepoints.
     *
     * @return the {@code struct sk_buff} address
     */
    long skbaddr();

    /**
     * Where in the kernel the packet was freed; name it with {@link dev.tracepoint.core.KernelSymbols}.
     *
     * @return the code address that freed the packet, 0 when the kernel does not record it
     */
    long location();
}
