package dev.tracepoint.core;

/**
 * Told when a CPU of the stream goes offline and when the stream has armed it again. A CPU that goes offline
 * runs nothing, so no event is missed while it is offline; but the kernel detaches a per-CPU perf event for
 * good when its CPU goes offline, so the stream re-opens that CPU's events (filters included) once the CPU is
 * back. Events the CPU ran between coming online and being armed are not seen: {@link #onCpuArmed} gives a
 * bound on that window. CPUs offline when the stream opens are armed when they come online. The stream checks
 * when the kernel announces a hotplug (its device events, which wake the consumer) and once a second besides
 * (every 100 ms where the announcements cannot be had). Called on the consumer thread.
 */
public interface CpuListener {

    /**
     * The stream found a CPU offline, or its events stopped by a hotplug; what its ring held was delivered
     * first.
     *
     * @param cpu the CPU
     */
    void onCpuOffline(int cpu);

    /**
     * The stream armed a CPU again (or for the first time, if it was offline at open).
     *
     * @param cpu             the CPU
     * @param unobservedNanos how long the CPU may have been online with no events of the stream: from the last
     *                        check that found it offline (or its events stopped) to the moment its new events
     *                        were enabled; an upper bound
     */
    void onCpuArmed(int cpu, long unobservedNanos);
}
