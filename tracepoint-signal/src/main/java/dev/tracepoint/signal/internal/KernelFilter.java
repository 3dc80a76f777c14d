package dev.tracepoint.signal.internal;

import dev.tracepoint.core.format.EventFormat;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the ftrace filter expressions ({@code PERF_EVENT_IOC_SET_FILTER}) that keep unwanted signal events in
 * the kernel: signals to include or exclude, target pids and names, failed results. Events a filter rejects
 * are never written to the perf ring, so an excluded flood of {@code SIGCHLD} costs no user-space time at all.
 *
 * <p>Only fields the running kernel's format has are used; a request that needs a missing field is an
 * {@link IllegalArgumentException} naming it. String constants are quoted for the ftrace parser, which has no
 * escapes: names with a quote, a backslash or a control character are refused.
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
        List<String> parts = new ArrayList<>();
        signals(format, include, exclude, parts);
        if (targetPids.length > 0) {
            require(format, "pid", "a target pid filter");
            parts.add(anyOf("pid", targetPids));
        }
        if (!targetComms.isEmpty()) {
            require(format, "comm", "a target name filter");
            List<String> or = new ArrayList<>();
            for (String c : targetComms) {
                or.add("comm == " + quote(c));
            }
            parts.add(group(or, " || "));
        }
        if (failedOnly) {
            require(format, "result", "--failed (the result field appeared in Linux 3.4)");
            parts.add("result != 0");
        }
        return and(parts);
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
        List<String> parts = new ArrayList<>();
        signals(format, include, exclude, parts);
        return and(parts);
    }

    private static void signals(EventFormat format, int[] include, int[] exclude, List<String> parts) {
        if (include.length > 0) {
            require(format, "sig", "a signal filter");
            parts.add(anyOf("sig", include));
        } else if (exclude.length > 0) {
            require(format, "sig", "a signal filter");
            List<String> and = new ArrayList<>();
            for (int s : exclude) {
                and.add("sig != " + s);
            }
            parts.add(group(and, " && "));
        }
    }

    private static String anyOf(String field, int[] values) {
        List<String> or = new ArrayList<>();
        for (int v : values) {
            or.add(field + " == " + v);
        }
        return group(or, " || ");
    }

    private static String group(List<String> terms, String op) {
        String joined = String.join(op, terms);
        return terms.size() == 1 ? joined : "(" + joined + ")";
    }

    private static String and(List<String> parts) {
        return parts.isEmpty() ? null : String.join(" && ", parts);
    }

    private static void require(EventFormat format, String field, String what) {
        if (format.field(field) == null) {
            throw new IllegalArgumentException(what + " needs the field '" + field + "', which " + format.fullName()
                    + " lacks on this kernel");
        }
    }

    /**
     * Quotes a process name as an ftrace string constant.
     *
     * @param comm the name
     * @return {@code "comm"}, quoted
     * @throws IllegalArgumentException for an empty name or one with a quote, backslash or control character
     */
    public static String quote(String comm) {
        checkComm(comm);
        return "\"" + comm + "\"";
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
