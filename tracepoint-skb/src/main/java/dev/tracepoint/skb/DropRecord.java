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

    /** @return the CPU the sample was recorded on */
    int cpu();

    /** @return the process (tgid) that was current when the packet was freed */
    int pid();

    /** @return the thread that was current */
    int tid();

    /** @return the sample time, CLOCK_MONOTONIC nanoseconds */
    long timeNanos();

    /** @return the {@code struct sk_buff} address */
    long skbaddr();

    /** @return the code address that freed the packet, 0 when the kernel does not record it */
    long location();
}
