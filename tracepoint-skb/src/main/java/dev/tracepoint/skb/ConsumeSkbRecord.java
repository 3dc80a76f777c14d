package dev.tracepoint.skb;

/**
 * An immutable copy of one {@code skb:consume_skb} event ({@link ConsumeSkb#toRecord()}, {@link Drop#toRecord()}).
 *
 * @param cpu       the CPU the sample was recorded on
 * @param pid       the process (tgid) that was current
 * @param tid       the thread that was current
 * @param timeNanos the sample time, CLOCK_MONOTONIC nanoseconds
 * @param skbaddr   the {@code struct sk_buff} address
 * @param location  the code address that freed it, 0 when the kernel does not record it (before 6.3)
 */
public record ConsumeSkbRecord(int cpu, int pid, int tid, long timeNanos, long skbaddr, long location)
        implements DropRecord {
}
