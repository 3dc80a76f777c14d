package dev.tracepoint.core;

/**
 * The kernel rejected a tracepoint filter ({@code PERF_EVENT_IOC_SET_FILTER} returned EINVAL). The message
 * names the tracepoint, the filter and the fields the tracepoint has.
 */
public final class InvalidFilterException extends TracepointException {

    private static final long serialVersionUID = 1L;

    private final String filter;

    /**
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

    /** @return the filter the kernel rejected */
    public String filter() {
        return filter;
    }
}
