package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.TaskListener;

import java.time.Duration;
import java.util.List;

/**
 * The settings a stream opens with, copied from its public builder ({@code TracepointStreamBuilder}) when the
 * stream is built, so that the internal parts never see the builder. Owns nothing: a value.
 *
 * @param cpus           the CPUs to read, or null for every possible CPU
 * @param ringPages      data pages per CPU ring, a power of two
 * @param wakeupEvents   wake the consumer every this many events, or 0
 * @param wakeupBytes    wake the consumer at this many unread bytes, or 0 (half the ring)
 * @param maxLatency     the longest an event waits in a ring
 * @param scope          which tasks the events cover
 * @param warmUp         whether to run the decode path on synthetic records before enabling the events
 * @param flightRecorder whether the rings are overwrite-mode rings read by snapshots
 * @param threadName     the name of the consumer thread of {@code startAsync()}
 * @param lateness       the ordering window of an ordered stream, or null when the stream is not ordered
 * @param taskListeners  the task listeners (COMM, FORK, EXIT records are asked for when there is one)
 */
public record StreamConfig(int[] cpus, int ringPages, int wakeupEvents, int wakeupBytes, Duration maxLatency,
                           Scope scope, boolean warmUp, boolean flightRecorder, String threadName,
                           Duration lateness, List<TaskListener> taskListeners) {
    /** Copies the array and the list. */
    public StreamConfig {
        cpus = cpus == null ? null : cpus.clone();
        taskListeners = List.copyOf(taskListeners);
    }
}
