package dev.tracepoint.core.decode;

/**
 * Optional super-interface of a typed event interface: extend it to get the sample metadata next to the
 * tracepoint's fields.
 *
 * {@snippet :
 * public interface SchedSwitch extends TracepointEvent {
 *     int prevPid();
 *     String prevComm();       // allocates a String
 *     int prevComm(byte[] dst); // allocation-free: copies the bytes, returns the length
 *     int nextPid();
 * }
 * }
 *
 * <p>Instances are flyweights bound to a moving {@link EventView}: valid only during the listener call.
 *
 * <p>The names of these methods are taken: an accessor of a typed interface named like one of them (such as
 * {@code int pid()} for the field {@code pid} of {@code signal_generate}, the target, not the sender) fails
 * to bind; name it otherwise, {@code @TracepointField("pid") int targetPid()}.
 */
public interface TracepointEvent {

    /**
     * Returns the view this event reads from (valid only during the callback).
     *
     * @return the view this event reads from (valid only during the callback)
     */
    EventView view();

    /**
     * Returns the CPU the sample was recorded on.
     *
     * @return the CPU the sample was recorded on
     */
    default int cpu() {
        return view().cpu();
    }

    /**
     * Returns the process id (tgid) of the task that was current when the tracepoint fired.
     *
     * @return the process id (tgid) of the task that was current when the tracepoint fired
     */
    default int pid() {
        return view().pid();
    }

    /**
     * Returns the thread id of the task that was current when the tracepoint fired.
     *
     * @return the thread id of the task that was current when the tracepoint fired
     */
    default int tid() {
        return view().tid();
    }

    /**
     * Returns the sample time, CLOCK_MONOTONIC nanoseconds.
     *
     * @return the sample time, CLOCK_MONOTONIC nanoseconds
     */
    default long timeNanos() {
        return view().timeNanos();
    }

    /**
     * Returns the tracepoint's {@code system:name}.
     *
     * @return the tracepoint's {@code system:name}
     */
    default String tracepoint() {
        return view().format().fullName();
    }
}
