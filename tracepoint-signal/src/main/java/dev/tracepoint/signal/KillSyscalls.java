package dev.tracepoint.signal;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.UnknownTracepointException;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.signal.internal.IntMap;
import dev.tracepoint.signal.internal.SignalSelection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The signal monitor's failed kills ({@link FailedKill}): each call of {@link FailedKill#SYSCALLS} is seen at
 * its {@code sys_enter_*} tracepoint (arguments) and its {@code sys_exit_*} (return value); the two are paired
 * per thread, which makes one system call at a time. Every field is read by the name the running kernel's
 * format gives it ({@code pid}, {@code tgid}, {@code pidfd}, {@code sig}, {@code ret}).
 *
 * <p>The signal filters of the selection become the kernel filter of each enter tracepoint, together with
 * {@code sig != 0} ({@code kill(pid, 0)} only probes whether a process exists); the exits cross unfiltered,
 * so that a call whose enter was filtered out finds nothing to pair with (a filter on {@code ret} would let
 * the exit of an unselected call pair with the enter of an earlier successful one). Sender and target filters
 * are applied here. Called on the monitor's consumer thread, in time order (the stream is ordered).
 */
final class KillSyscalls {

    /** The most calls in flight remembered: far beyond the threads that can be inside one at a time. */
    private static final int MAX_PENDING = 1 << 16;

    /** One call's enter, waiting for its exit. */
    private record Pending(int call, int sig, int targetPid, int targetTid, int pidfd) {
    }

    /** One system call's fields on the running kernel. */
    private record Call(String name, Field sig, Field pid, Field tgid, Field pidfd, Field ret) {
    }

    private final List<Call> calls = new ArrayList<>();
    private final IntMap<Pending> pending = new IntMap<>(256);
    private final SignalSelection selection;
    private final TaskTable tasks;
    private final Consumer<? super FailedKill> listener;
    private final Path proc;
    private volatile long failed; // written on the consumer thread only

    private KillSyscalls(SignalSelection selection, TaskTable tasks, Consumer<? super FailedKill> listener, Path proc) {
        this.selection = selection;
        this.tasks = tasks;
        this.listener = listener;
        this.proc = proc;
    }

    /**
     * Enables the enter and exit tracepoints of every call in {@link FailedKill#SYSCALLS} this kernel has.
     *
     * @return the pairing, or an exception when the kernel has none of them
     * @throws UnknownTracepointException when the kernel has no syscall tracepoints (CONFIG_FTRACE_SYSCALLS)
     * @throws TracepointException        when a format cannot be read or a field is missing
     */
    static KillSyscalls enable(TracepointStream stream, SignalSelection selection, TaskTable tasks,
                               Consumer<? super FailedKill> listener) throws TracepointException {
        KillSyscalls k = new KillSyscalls(selection, tasks, listener, Path.of("/proc"));
        Tracefs tracefs = stream.tracefs();
        for (String name : FailedKill.SYSCALLS) {
            String enter = "syscalls:sys_enter_" + name;
            String exit = "syscalls:sys_exit_" + name;
            if (!tracefs.exists(enter) || !tracefs.exists(exit)) {
                continue; // a call this kernel lacks (pidfd_send_signal came with 5.1)
            }
            Subscription in = stream.enable(enter);
            Subscription out = stream.enable(exit);
            EventFormat f = in.format();
            Field pidfd = f.field("pidfd");
            Field tgid = f.field("tgid");
            Field pid = f.field("pid");
            if (pidfd == null && pid == null) {
                throw new TracepointException(enter + " has neither a pid nor a pidfd field on this kernel: " + f.fields());
            }
            Call call = new Call(name, f.requireField("sig"), pid, tgid, pidfd, out.format().requireField("ret"));
            int index = k.calls.size();
            k.calls.add(call);
            String signals = selection.deliverFilter(f);
            in.filter(signals == null ? "sig != 0" : "(" + signals + ") && sig != 0")
                    .onEvent(e -> k.onEnter(index, e));
            out.onEvent(e -> k.onExit(index, e));
        }
        if (k.calls.isEmpty()) {
            throw new UnknownTracepointException("syscalls:sys_enter_kill", List.of(), "failed kills need the syscall "
                    + "tracepoints (syscalls:sys_enter_kill, sys_exit_kill, ...), which this kernel lacks in "
                    + tracefs.root().resolve("events") + " (it was built without CONFIG_FTRACE_SYSCALLS)");
        }
        return k;
    }

    private void onEnter(int index, EventView e) {
        Call c = calls.get(index);
        int sig = (int) e.getLong(c.sig);
        int pid = c.pid == null ? 0 : (int) e.getLong(c.pid);
        Pending p;
        if (c.pidfd != null) {
            p = new Pending(index, sig, 0, 0, (int) e.getLong(c.pidfd));
        } else if (c.tgid != null) {
            p = new Pending(index, sig, (int) e.getLong(c.tgid), pid, -1);
        } else {
            p = new Pending(index, sig, pid, c.name.equals("tkill") ? pid : 0, -1);
        }
        if (pending.size() >= MAX_PENDING) {
            pending.clear(); // only when exits were lost
        }
        pending.put(e.tid(), p);
    }

    private void onExit(int index, EventView e) {
        Pending p = pending.remove(e.tid());
        if (p == null || p.call != index) {
            return; // its enter was filtered out, came before the monitor, or was lost
        }
        Call c = calls.get(index);
        long ret = e.getLong(c.ret);
        if (ret >= 0) {
            return;
        }
        int senderPid = e.pid();
        if (!selection.senderPidMatches(senderPid)) {
            return;
        }
        TaskTable.Entry sender = tasks.resolve(senderPid);
        String senderComm = sender == null ? null : sender.comm;
        if (!selection.senderCommMatches(senderComm)) {
            return;
        }
        int targetPid = p.pidfd >= 0 ? pidfdTarget(senderPid, p.pidfd) : p.targetPid;
        if (!selection.deliveryPidMatches(targetPid)) {
            return;
        }
        TaskTable.Entry target = targetPid > 0 ? tasks.resolve(targetPid) : null;
        String targetComm = target == null ? null : target.comm;
        if (!selection.deliveryCommMatches(targetComm)) {
            return;
        }
        failed++;
        listener.accept(new FailedKill(e.timeNanos(), e.cpu(), c.name, p.sig, (int) -ret, targetPid, p.targetTid,
                p.pidfd, targetComm, senderPid, e.tid(), senderComm, sender == null ? TaskTable.UNKNOWN_UID : sender.uid));
    }

    /** The {@code Pid:} of a pidfd in its owner's {@code fdinfo}, or 0 when it is closed or gone. */
    private int pidfdTarget(int owner, int fd) {
        try {
            for (String line : Files.readAllLines(proc.resolve(Integer.toString(owner)).resolve("fdinfo").resolve(Integer.toString(fd)))) {
                if (line.startsWith("Pid:")) {
                    int pid = Integer.parseInt(line.substring(4).trim());
                    return Math.max(pid, 0); // -1: the process has exited
                }
            }
        } catch (IOException | RuntimeException e) {
            // closed, or the owner exited
        }
        return 0;
    }

    /** @return the failed calls that passed the filters, since the monitor opened */
    long failedCount() {
        return failed;
    }
}
