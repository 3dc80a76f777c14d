package dev.tracepoint.signal.internal;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.signal.Signals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which signals the signal monitor reports: signals to include or exclude, target and sender pids and names,
 * failed-only. What the kernel can decide becomes the tracepoints' kernel filters ({@link #generateFilter},
 * {@link #deliverFilter}); the rest is matched here, on the consumer thread: sender pids (the kernel's
 * {@code common_pid} is a thread id, the sender filter takes process ids), sender names (resolved in user
 * space), and the targets of deliveries (the current task of {@code signal_deliver}, which a filter matches
 * only per thread). Immutable; made by a {@link Builder}.
 */
public final class SignalSelection {

    private final int[] include;
    private final int[] exclude;
    private final int[] targetPids;
    private final List<String> targetComms;
    private final int[] senderPids;
    private final String[] senderComms;
    private final boolean failedOnly;

    private SignalSelection(Builder b) {
        Set<Integer> kept = new LinkedHashSet<>(b.include);
        kept.removeAll(b.exclude);
        if (!b.include.isEmpty() && kept.isEmpty()) {
            throw new IllegalArgumentException("every signal selected with signals() is also excluded: signals="
                    + names(b.include) + " exclude=" + names(b.exclude));
        }
        this.include = toArray(kept);
        this.exclude = kept.isEmpty() ? toArray(b.exclude) : new int[0]; // an inclusion list says it all
        this.targetPids = toArray(b.targetPids);
        this.targetComms = List.copyOf(b.targetComms);
        this.senderPids = toArray(b.senderPids);
        this.senderComms = b.senderComms.toArray(new String[0]);
        this.failedOnly = b.failedOnly;
    }

    /** @return an empty selection to add to: every signal */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------- kernel filters

    /**
     * @param format {@code signal:signal_generate} on the running kernel
     * @return its kernel filter: signals, target pids and names, failed-only; {@code null} for none
     * @throws IllegalArgumentException when the format lacks a field the selection needs
     */
    public String generateFilter(EventFormat format) {
        return KernelFilter.generate(format, include, exclude, targetPids, targetComms, failedOnly);
    }

    /**
     * @param format {@code signal:signal_deliver} on the running kernel
     * @return its kernel filter: the signals only; {@code null} for none
     */
    public String deliverFilter(EventFormat format) {
        return KernelFilter.deliver(format, include, exclude);
    }

    // ------------------------------------------------------------------------------ user-space matching

    /**
     * @param pid the sending process of a {@code signal_generate}
     * @return whether the sender pid filter (if any) lets it pass
     */
    public boolean senderPidMatches(int pid) {
        return senderPids.length == 0 || contains(senderPids, pid);
    }

    /** @return whether senders are selected by name, so a sender must be named before it is matched */
    public boolean hasSenderComms() {
        return senderComms.length > 0;
    }

    /**
     * @param comm the sender's name, {@code null} when unknown
     * @return whether the sender name filter (if any) lets it pass; an unknown name passes none
     */
    public boolean senderCommMatches(String comm) {
        return senderComms.length == 0 || contains(senderComms, comm);
    }

    /**
     * @param pid the receiving process of a {@code signal_deliver}
     * @return whether the target pid filter (if any) lets it pass
     */
    public boolean deliveryPidMatches(int pid) {
        return targetPids.length == 0 || contains(targetPids, pid);
    }

    /** @return whether targets are selected by name, so the receiver of a delivery must be named */
    public boolean hasTargetComms() {
        return !targetComms.isEmpty();
    }

    /**
     * @param comm the receiver's name, {@code null} when unknown
     * @return whether the target name filter (if any) lets it pass; an unknown name passes none
     */
    public boolean deliveryCommMatches(String comm) {
        return targetComms.isEmpty() || (comm != null && targetComms.contains(comm));
    }

    /** @return whether only signals the kernel did not deliver are selected (deliveries then are none) */
    public boolean failedOnly() {
        return failedOnly;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(String[] names, String comm) {
        if (comm == null) {
            return false;
        }
        for (String n : names) {
            if (n.equals(comm)) {
                return true;
            }
        }
        return false;
    }

    private static int[] toArray(Set<Integer> s) {
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String names(Set<Integer> sigs) {
        List<String> n = new ArrayList<>();
        for (int s : sigs) {
            n.add(Signals.name(s));
        }
        return n.toString();
    }

    @Override
    public String toString() {
        return "SignalSelection[senderPids=" + Arrays.toString(senderPids) + ", senderComms=" + Arrays.toString(senderComms) + "]";
    }

    // ---------------------------------------------------------------------------------------- builder

    /**
     * A selection being put together, each value checked when it is given. Repeated calls add. Not
     * thread-safe; {@link #build()} copies.
     */
    public static final class Builder {
        private final Set<Integer> include = new LinkedHashSet<>();
        private final Set<Integer> exclude = new LinkedHashSet<>();
        private final Set<Integer> targetPids = new LinkedHashSet<>();
        private final List<String> targetComms = new ArrayList<>();
        private final Set<Integer> senderPids = new LinkedHashSet<>();
        private final List<String> senderComms = new ArrayList<>();
        private boolean failedOnly;

        private Builder() {
        }

        /**
         * @param sigs signal numbers to include
         * @throws IllegalArgumentException for a number outside {@code 1..SIGRTMAX}
         */
        public void include(int... sigs) {
            addSignals(include, sigs);
        }

        /**
         * @param names signal names to include (see {@link Signals#number(String)})
         * @throws IllegalArgumentException for an unknown name
         */
        public void include(String... names) {
            addSignals(include, names);
        }

        /**
         * @param sigs signal numbers to exclude
         * @throws IllegalArgumentException for a number outside {@code 1..SIGRTMAX}
         */
        public void exclude(int... sigs) {
            addSignals(exclude, sigs);
        }

        /**
         * @param names signal names to exclude
         * @throws IllegalArgumentException for an unknown name
         */
        public void exclude(String... names) {
            addSignals(exclude, names);
        }

        /**
         * @param pids target pids, each positive
         * @throws IllegalArgumentException for a pid below 1
         */
        public void targetPids(int... pids) {
            addPids(targetPids, pids, 1, "targetPid");
        }

        /**
         * @param names target names, cut to the 15 bytes the kernel keeps
         * @throws IllegalArgumentException for a name a kernel filter cannot match ({@link KernelFilter#checkComm})
         */
        public void targetComms(String... names) {
            addComms(targetComms, names);
        }

        /**
         * @param pids sender pids, each 0 (the kernel, idle) or more
         * @throws IllegalArgumentException for a negative pid
         */
        public void senderPids(int... pids) {
            addPids(senderPids, pids, 0, "senderPid");
        }

        /**
         * @param names sender names, cut to the 15 bytes the kernel keeps
         * @throws IllegalArgumentException for a name a kernel filter cannot match ({@link KernelFilter#checkComm})
         */
        public void senderComms(String... names) {
            addComms(senderComms, names);
        }

        /** @param enabled only signals the kernel did not deliver */
        public void failedOnly(boolean enabled) {
            this.failedOnly = enabled;
        }

        /**
         * @return the selection as it stands
         * @throws IllegalArgumentException when every included signal is also excluded
         */
        public SignalSelection build() {
            return new SignalSelection(this);
        }

        private static void addSignals(Set<Integer> to, int[] sigs) {
            for (int s : sigs) {
                if (s < 1 || s > Signals.SIGRTMAX) {
                    throw new IllegalArgumentException("signal=" + s + " is not in 1.." + Signals.SIGRTMAX);
                }
                to.add(s);
            }
        }

        private static void addSignals(Set<Integer> to, String[] names) {
            for (String n : names) {
                to.add(Signals.number(n));
            }
        }

        private static void addPids(Set<Integer> to, int[] pids, int min, String what) {
            for (int p : pids) {
                if (p < min) {
                    throw new IllegalArgumentException(what + "=" + p);
                }
                to.add(p);
            }
        }

        /** Checks each name and cuts it to what the kernel keeps, as the kernel cuts it. */
        private static void addComms(List<String> to, String[] names) {
            for (String n : names) {
                KernelFilter.checkComm(n);
                to.add(n.length() > KernelFilter.COMM_MAX ? n.substring(0, KernelFilter.COMM_MAX) : n);
            }
        }
    }
}
