package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.TracepointException;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Covers every thread of a process scope, existing and new, with each thread's events opened exactly once:
 * the process's threads get their own events ({@code inherit}) on each CPU, and every task created after
 * that gets a copy from its creator's. The list of threads ({@code /proc/PID/task}) and the opening race with
 * the process creating threads, so the list is read again after every round:
 *
 * <ul>
 * <li>No new thread in it: done. Every thread alive at the second read was in the first, and so has its own
 *     events; every task created since was created by a thread that had events by then, and has a copy.
 *     Threads that came and went between the reads did so while the events were disabled (a session opens
 *     them disabled): there was nothing to see.</li>
 * <li>A new thread: it was created during the round, either before its creator's events were opened (it has
 *     none) or after (it has copies of them, maybe on some CPUs only), which nothing tells apart. Opening its
 *     own events could count it twice, leaving it out could miss it; so the round's task events are closed
 *     (their copies go with them) and the round runs again over the new list. The events of a round are
 *     opened only for threads that existed before any of them, which therefore hold no copy of them: no
 *     thread is counted twice.</li>
 * </ul>
 *
 * A round opens an event per thread, tracepoint and CPU (some 30 us each), so a process with many threads on
 * many CPUs takes long rounds, and one that creates threads all the time may create one in every round: after
 * {@link #MAX_ROUNDS} rounds, or {@link #MAX_NANOS} and at least {@link #MIN_ROUNDS} rounds, the last round is
 * kept, with a warning: threads created during it by threads not covered yet are then not seen. (Opening only
 * the new threads' events in the next round, instead of all again, would count twice those that had copies:
 * measured, a thread created during the round then delivered each of its events twice.) Stateless; the
 * session's thread.
 */
final class ProcessCoverage {

    /** Rounds before a process that keeps creating threads is taken as it is. */
    static final int MAX_ROUNDS = 32;
    /** Time after which a process that keeps creating threads is taken as it is, once it had {@link #MIN_ROUNDS}. */
    static final long MAX_NANOS = 3_000_000_000L;
    /** Rounds a process gets however long they take. */
    static final int MIN_ROUNDS = 3;

    private static final System.Logger LOG = System.getLogger("dev.tracepoint");

    private ProcessCoverage() {
    }

    /**
     * Opens the events of every thread of the process on each CPU of {@code cpus}.
     *
     * @param pid    the process
     * @param opener opens one thread's events on one CPU
     * @param cpus   the CPUs, their rings open and no thread's events yet
     * @param atOpen true when the stream opens (a process that does not exist, or exited, is an error), false
     *               when a CPU is armed again (a process that exited leaves the CPU with its ring only)
     * @return the rounds it took
     * @throws TracepointException when the process does not exist or exited (at open), or a call fails
     */
    static int cover(int pid, EventOpener opener, Collection<CpuEvents> cpus, boolean atOpen) throws TracepointException {
        long start = System.nanoTime();
        Set<Integer> listed = atOpen ? ScopeTargets.threadsOf(pid) : ScopeTargets.tasks(pid);
        for (int round = 1; ; round++) {
            Set<Integer> gone = new HashSet<>();
            boolean any = false;
            for (CpuEvents g : cpus) {
                for (int tid : listed) {
                    if (!gone.contains(tid)) {
                        if (opener.openThread(g, tid)) {
                            any = true;
                        } else {
                            gone.add(tid);
                        }
                    }
                }
            }
            Set<Integer> now = ScopeTargets.tasks(pid);
            if (listed.containsAll(now)) {
                if (!any && atOpen) {
                    throw new TracepointException("process " + pid + " exited while the stream opened");
                }
                int r = round;
                int threads = listed.size();
                LOG.log(System.Logger.Level.DEBUG, () -> "process " + pid + ": events of " + threads
                        + " threads open on " + cpus.size() + " CPUs after " + r + (r == 1 ? " round" : " rounds"));
                return round;
            }
            if (round == MAX_ROUNDS || (round >= MIN_ROUNDS && System.nanoTime() - start > MAX_NANOS)) {
                LOG.log(System.Logger.Level.WARNING, "process " + pid + " created threads during each of " + round
                        + " attempts to open the stream's events for all of its threads: threads it created meanwhile"
                        + " from threads not covered yet are not seen");
                return round;
            }
            for (CpuEvents g : cpus) {
                g.closeTaskEvents();
            }
            listed = now;
        }
    }
}
