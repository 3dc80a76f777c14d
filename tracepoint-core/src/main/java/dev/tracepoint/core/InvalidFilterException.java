package dev.tracepoint.core;

/**
 * The kernel rejected a tracepoint filter ({@code PERF_EVENT_IOC_SET_FILTER} returned EINVAL). The message
 * names the tracepoint, the filter and the fields the tracepoint has.
 */
public final class InvalidFilterException extends TracepointException {

    private static final long serialVersionUID = 1L;

    /** The filter text the kernel rejected. */
    private final String filter;

    /**
     * Creates the exception for a filter the kernel refused on a tracepoint.
     *
     * @param message    the full message
     * @param tracepoint the tracepoint
     * @param filter     the rejected filter text
     * @param errno      the errno
     * @param errnoName  its name
     */
    public InvalidFilterException(String message, String tracepoint, String filter, int errno, String errnoName) {
        super(message, "ioctl(PERF_EVENT_IOC_SET_FILTER)", errno, errnoName, -1, tracepoint, null);
        this.filter = filter;
    }

    /**
     * The filter text exactly as it was passed to the kernel (a {@link Filter} is rendered to ftrace syntax
     * first), to show next to the message or to correct.
     *
     * @return the filter the kernel rejected
     */
    public String filter() {
        return filter;
    }
}
