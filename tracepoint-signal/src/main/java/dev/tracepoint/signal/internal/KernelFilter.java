package dev.tracepoint.signal.internal;

import dev.tracepoint.core.Filter;
import dev.tracepoint.core.format.EventFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Builds the ftrace filter expressions ({@code PERF_EVENT_IOC_SET_FILTER}) that keep unwanted signal events in
 * the kernel: signals to include or exclude, target pids and names, failed results. Events a filter rejects
 * are never written to the perf ring, so an excluded flood of {@code SIGCHLD} costs no user-space time at all.
 *
 * <p>Built with the core's {@link Filter}, which quotes the names and checks every comparison against the
 * running kernel's format. A request that needs a field this kernel lacks is an {@link IllegalArgumentException}
 * naming it and the kernel version that added it. Process names are held to a stricter rule than
 * {@code Filter}'s (see {@link #checkComm}): the kernel keeps printable ASCII names, and a name with a quote or a
 * backslash is more likely a mistake than a process.
 */
public final class KernelFilter {

    /** {@code TASK_COMM_LEN - 1}: the longest name the kernel keeps. */
    public static final int COMM_MAX = 15;

    private KernelFilter() {
    }

    /**
     * The filter for {@code signal:signal_generate}.
     *
     * @param format      its format on the running kernel
     * @param include     signals to keep (empty: all), already without the excluded ones
     * @param exclude     signals to drop (used only when {@code include} is empty)
     * @param targetPids  target pids to keep (empty: all)
     * @param targetComms target names to keep (empty: all)
     * @param failedOnly  keep only results other than DELIVERED
     * @return the expression, or {@code null} for none
     * @throws IllegalArgumentException when the format lacks a field the request needs, or a name is unquotable
     */
    public static String generate(EventFormat format, int[] include, int[] exclude, int[] targetPids,
                                  List<String> targetComms, boolean failedOnly) {
        List<Filter> parts = new ArrayList<>();
        signals(format, include, exclude, parts);
        if (targetPids.length > 0) {
            require(format, "pid", "a target pid filter");
            parts.add(anyOf("pid", targetPids));
        }
        if (!targetComms.isEmpty()) {
            require(format, "comm", "a target name filter");
            Filter[] names = new Filter[targetComms.size()];
            for (int i = 0; i < names.length; i++) {
                checkComm(targetComms.get(i));
                names[i] = Filter.field("comm").eq(targetComms.get(i));
            }
            parts.add(Filter.anyOf(names));
        }
        if (failedOnly) {
            require(format, "result", "--failed (the result field appeared in Linux 3.4)");
            parts.add(Filter.field("result").ne(0));
        }
        return text(format, parts);
    }

    /**
     * The filter for {@code signal:signal_deliver}: signals only (its target is the current task, which a
     * filter can match only per thread, so pid and name filters are applied in user space).
     *
     * @param format  its format on the running kernel
     * @param include signals to keep (empty: all)
     * @param exclude signals to drop (used only when {@code include} is empty)
     * @return the expression, or {@code null} for none
     */
    public static String deliver(EventFormat format, int[] include, int[] exclude) {
        List<Filter> parts = new ArrayList<>();
        signals(format, include, exclude, parts);
        return text(format, parts);
    }

    private static void signals(EventFormat format, int[] include, int[] exclude, List<Filter> parts) {
        if (include.length > 0) {
            require(format, "sig", "a signal filter");
            parts.add(anyOf("sig", include));
        } else if (exclude.length > 0) {
            require(format, "sig", "a signal filter");
            Filter.FieldRef sig = Filter.field("sig");
            parts.add(Filter.allOf(IntStream.of(exclude).mapToObj(sig::ne).toArray(Filter[]::new)));
        }
    }

    private static Filter anyOf(String field, int[] values) {
        Filter.FieldRef f = Filter.field(field);
        return Filter.anyOf(IntStream.of(values).mapToObj(f::eq).toArray(Filter[]::new));
    }

    /** The parts joined with {@code &&}, checked against the format by {@link Filter#toString(EventFormat)}. */
    private static String text(EventFormat format, List<Filter> parts) {
        return parts.isEmpty() ? null : Filter.allOf(parts.toArray(Filter[]::new)).toString(format);
    }

    private static void require(EventFormat format, String field, String what) {
        if (format.field(field) == null) {
            throw new IllegalArgumentException(what + " needs the field '" + field + "', which " + format.fullName()
                    + " lacks on this kernel");
        }
    }

    /**
     * @param comm a process name given by a user
     * @throws IllegalArgumentException when it cannot be matched safely in a kernel filter
     */
    public static void checkComm(String comm) {
        if (comm.isEmpty()) {
            throw new IllegalArgumentException("empty process name");
        }
        for (int i = 0; i < comm.length(); i++) {
            char c = comm.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f || c > 0x7e) {
                throw new IllegalArgumentException("process name " + printable(comm) + " contains a character a kernel filter "
                        + "cannot match (a quote, backslash, control or non-ASCII character)");
            }
        }
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }
}
