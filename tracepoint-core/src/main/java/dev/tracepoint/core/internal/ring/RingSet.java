package dev.tracepoint.core.internal.ring;

import java.util.function.Consumer;

/**
 * The per-CPU rings of a stream as CPUs come and go: a consumer asks which armed CPUs stopped (went offline,
 * or had their events detached by a hotplug), drains and disarms them, and arms the CPUs that are online but
 * have no events, getting their new rings. One thread at a time (the stream's consumer).
 */
public interface RingSet {

    /**
     * A set whose CPUs never change: the warm-up's consumer follows it, so that the JIT compiles the hotplug
     * check of the consumer's wake-up path as the real stream runs it (a branch the warm-up never took would
     * be a deoptimisation at the stream's first wake-up).
     */
    RingSet FIXED = new RingSet() {
        @Override
        public int[] deadCpus() {
            return new int[0];
        }

        @Override
        public int[] unarmedOnlineCpus() {
            return new int[0];
        }

        @Override
        public boolean notifiesHotplug() {
            return false;
        }

        @Override
        public long disarm(int cpu, Consumer<Throwable> errors) {
            return 0;
        }

        @Override
        public PerfRing arm(int cpu) {
            return null;
        }
    };

    /** @return the armed CPUs whose events no longer run, ascending */
    int[] deadCpus();

    /**
     * @return whether the set's waits hear of hotplug as it happens (the consumer's
     *         {@code StreamConsumer.Waiter#await}), so that a periodic check is only a fallback
     */
    boolean notifiesHotplug();

    /** @return the watched CPUs that are online and have no events, ascending */
    int[] unarmedOnlineCpus();

    /**
     * Closes a CPU's events and its ring; drain the ring first.
     *
     * @param cpu    the CPU
     * @param errors told about what could not be released
     * @return the kernel's count of samples lost on the CPU since it was armed (0 when it keeps none)
     */
    long disarm(int cpu, Consumer<Throwable> errors);

    /**
     * Opens and enables a CPU's events and ring.
     *
     * @param cpu the CPU
     * @return its ring, or null when it is offline again
     * @throws Exception when a call fails (the CPU stays unarmed; try again later)
     */
    PerfRing arm(int cpu) throws Exception;
}
