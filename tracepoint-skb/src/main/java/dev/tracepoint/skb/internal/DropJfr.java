package dev.tracepoint.skb.internal;

import dev.tracepoint.core.internal.jfr.JfrClock;
import dev.tracepoint.skb.Drop;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;

/** The drop monitor's JFR event: a packet the kernel dropped (or, when asked for, consumed). */
public final class DropJfr {

    private final JfrClock clock = JfrClock.get();

    /** A packet the kernel freed as dropped ({@code skb:kfree_skb}) or consumed ({@code skb:consume_skb}). */
    @Name("tracepoint.skb.PacketDrop")
    @Label("Packet Drop")
    @Description("A packet the kernel dropped, with its drop reason and the kernel function that dropped it (tracepoint drop monitor)")
    @Category({"Kernel", "Network"})
    @StackTrace(false)
    public static final class PacketDrop extends Event {
        /** When the kernel freed it. */
        @Label("Kernel Time")
        @Description("When the kernel freed the packet (its perf timestamp, on the JVM's time base)")
        @Timestamp(Timestamp.TICKS)
        public long kernelTime;
        /** The same, CLOCK_MONOTONIC. */
        @Label("Kernel Nanos")
        @Description("When the kernel freed the packet, CLOCK_MONOTONIC nanoseconds")
        public long kernelNanos;
        /** The CPU. */
        @Label("CPU")
        @Description("The CPU the packet was freed on")
        public int cpu;
        /** The task that was running. */
        @Label("Current PID")
        @Description("The process that was running (in softirq context: the one the interrupt interrupted)")
        public int currentPid;
        /** Its thread. */
        @Label("Current TID")
        @Description("The thread that was running")
        public int currentTid;
        /** The drop reason. */
        @Label("Reason")
        @Description("The kernel's drop reason number (enum skb_drop_reason); -1 when the kernel does not record one")
        public int reason;
        /** Its name. */
        @Label("Reason Name")
        @Description("The drop reason's name from this kernel's table, e.g. NO_SOCKET; CONSUMED for consume_skb")
        public String reasonName;
        /** Where. */
        @Label("Location")
        @Description("The kernel address that freed the packet")
        @MemoryAddress
        public long location;
        /** Where, symbolized. */
        @Label("Function")
        @Description("The location as function+offset/size, as the kernel's %pS prints it")
        public String function;
        /** The protocol. */
        @Label("Protocol")
        @Description("The packet's EtherType, e.g. 0x0800 for IPv4")
        @Unsigned
        public short protocol;
        /** Its name. */
        @Label("Protocol Name")
        @Description("The EtherType's name: IPv4, IPv6, ARP, ...")
        public String protocolName;
        /** The packet. */
        @Label("SKB Address")
        @Description("The sk_buff's address")
        @MemoryAddress
        public long skbaddr;
        /** Whether consumed rather than dropped. */
        @Label("Consumed")
        @Description("Whether it was consume_skb: a packet freed after normal use, not a drop")
        public boolean consumed;
    }

    private static final PacketDrop PROBE = new PacketDrop();

    /** {@return whether a recording enables the drop events} */
    public static boolean enabled() {
        return PROBE.isEnabled();
    }

    /**
     * Commits a drop, when a recording enables the event.
     *
     * @param d the drop, during its callback
     */
    public void commit(Drop d) {
        if (!PROBE.isEnabled()) {
            return;
        }
        PacketDrop e = new PacketDrop();
        e.kernelTime = clock.ticks(d.timeNanos());
        e.kernelNanos = d.timeNanos();
        e.cpu = d.cpu();
        e.currentPid = d.pid();
        e.currentTid = d.tid();
        e.consumed = d.consumed();
        e.reason = d.hasReason() ? d.reason() : -1;
        e.reasonName = d.hasReason() || d.consumed() ? d.reasonName() : null;
        if (d.hasLocation()) {
            e.location = d.location();
            e.function = d.symbol();
        }
        if (d.hasProtocol()) {
            e.protocol = (short) d.protocol();
            e.protocolName = d.protocolName();
        }
        e.skbaddr = d.skbaddr();
        e.commit();
    }
}
