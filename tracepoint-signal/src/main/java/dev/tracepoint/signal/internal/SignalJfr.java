package dev.tracepoint.signal.internal;

import dev.tracepoint.core.internal.jfr.JfrClock;
import dev.tracepoint.signal.FailedKill;
import dev.tracepoint.signal.SignalGenerateRecord;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;

/**
 * The signal monitor's JFR events: a signal the kernel generated, its sender named, and a kill-family system
 * call that failed. Committed on the monitor's consumer thread when a recording enables them.
 */
public final class SignalJfr {

    private final JfrClock clock = JfrClock.get();

    /** A signal the kernel generated ({@code signal:signal_generate}), as the signal monitor saw it. */
    @Name("tracepoint.signal.Signal")
    @Label("Signal")
    @Description("A signal the kernel generated: who sent it to whom, and what became of it (tracepoint signal monitor)")
    @Category({"Kernel", "Signal"})
    @StackTrace(false)
    public static final class Signal extends Event {
        /** When the kernel generated it. */
        @Label("Kernel Time")
        @Description("When the kernel generated the signal (its perf timestamp, on the JVM's time base)")
        @Timestamp(Timestamp.TICKS)
        public long kernelTime;
        /** The same, CLOCK_MONOTONIC. */
        @Label("Kernel Nanos")
        @Description("When the kernel generated the signal, CLOCK_MONOTONIC nanoseconds")
        public long kernelNanos;
        /** The CPU. */
        @Label("CPU")
        @Description("The CPU the sender ran on")
        public int cpu;
        /** The signal number. */
        @Label("Signal Number")
        @Description("The signal number, in this architecture's Linux numbering")
        public int sig;
        /** Its name. */
        @Label("Signal")
        @Description("The signal's name, e.g. SIGTERM")
        public String signal;
        /** si_code. */
        @Label("Code")
        @Description("si_code: how it was sent (SI_USER for kill, SI_TKILL, SI_KERNEL, ...)")
        public int code;
        /** si_code's name. */
        @Label("Code Name")
        @Description("The name of si_code")
        public String codeName;
        /** The result. */
        @Label("Result")
        @Description("What the kernel did with it: 0 delivered, 1 ignored, 2 already pending, 3 overflow, 4 lose info; -1 when the kernel does not say")
        public int result;
        /** The result's name. */
        @Label("Result Name")
        @Description("DELIVERED, IGNORED, ALREADY_PENDING, OVERFLOW_FAIL or LOSE_INFO")
        public String resultName;
        /** The sending process. */
        @Label("Sender PID")
        @Description("The process that was running when the signal was generated: the sender")
        public int senderPid;
        /** The sending thread. */
        @Label("Sender TID")
        @Description("The sending thread")
        public int senderTid;
        /** The sender's name. */
        @Label("Sender")
        @Description("The sending process's name, from the kernel's task records; null when unknown")
        public String senderComm;
        /** The sender's uid. */
        @Label("Sender UID")
        @Description("The sending process's real uid; -1 when unknown")
        public int senderUid;
        /** The target task. */
        @Label("Target PID")
        @Description("The task the signal was sent to")
        public int targetPid;
        /** Its name. */
        @Label("Target")
        @Description("The target task's name")
        public String targetComm;
        /** Whether sent to the thread group. */
        @Label("Group")
        @Description("1 when sent to the whole thread group, 0 to one thread; -1 when the kernel does not say")
        public int group;
    }

    /** A kill-family system call that failed: no signal was generated. */
    @Name("tracepoint.signal.FailedKill")
    @Label("Failed Kill")
    @Description("A kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo or pidfd_send_signal call that failed (tracepoint signal monitor)")
    @Category({"Kernel", "Signal"})
    @StackTrace(false)
    public static final class Failed extends Event {
        /** When the call returned. */
        @Label("Kernel Time")
        @Description("When the system call returned (its perf timestamp, on the JVM's time base)")
        @Timestamp(Timestamp.TICKS)
        public long kernelTime;
        /** The same, CLOCK_MONOTONIC. */
        @Label("Kernel Nanos")
        @Description("When the system call returned, CLOCK_MONOTONIC nanoseconds")
        public long kernelNanos;
        /** The system call. */
        @Label("System Call")
        @Description("kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo or pidfd_send_signal")
        public String syscall;
        /** The signal. */
        @Label("Signal")
        @Description("The signal's name")
        public String signal;
        /** The error. */
        @Label("Error")
        @Description("The errno name, e.g. ESRCH or EPERM")
        public String errno;
        /** The target. */
        @Label("Target PID")
        @Description("The pid (or negative process group) the call named")
        public int targetPid;
        /** The target's name. */
        @Label("Target")
        @Description("The target's name; null when no such task")
        public String targetComm;
        /** The caller. */
        @Label("Sender PID")
        @Description("The calling process")
        public int senderPid;
        /** The caller's name. */
        @Label("Sender")
        @Description("The calling process's name; null when unknown")
        public String senderComm;
        /** The caller's uid. */
        @Label("Sender UID")
        @Description("The calling process's real uid; -1 when unknown")
        public int senderUid;
    }

    /** {@return whether a recording enables the signal events} */
    public static boolean signalsEnabled() {
        return SIGNAL_PROBE.isEnabled();
    }

    private static final Signal SIGNAL_PROBE = new Signal();
    private static final Failed FAILED_PROBE = new Failed();

    /**
     * Commits a signal, when a recording enables the event.
     *
     * @param r the signal
     */
    public void commit(SignalGenerateRecord r) {
        if (!SIGNAL_PROBE.isEnabled()) {
            return;
        }
        Signal e = new Signal();
        e.kernelTime = clock.ticks(r.timeNanos());
        e.kernelNanos = r.timeNanos();
        e.cpu = r.cpu();
        e.sig = r.sig();
        e.signal = r.signalName();
        e.code = r.code();
        e.codeName = r.codeName();
        e.result = r.result();
        e.resultName = r.resultName();
        e.senderPid = r.senderPid();
        e.senderTid = r.senderTid();
        e.senderComm = r.senderComm();
        e.senderUid = r.senderUid();
        e.targetPid = r.targetPid();
        e.targetComm = r.targetComm();
        e.group = r.group();
        e.commit();
    }

    /**
     * Commits a failed kill, when a recording enables the event.
     *
     * @param k the failed call
     */
    public void commit(FailedKill k) {
        if (!FAILED_PROBE.isEnabled()) {
            return;
        }
        Failed e = new Failed();
        e.kernelTime = clock.ticks(k.timeNanos());
        e.kernelNanos = k.timeNanos();
        e.syscall = k.syscall();
        e.signal = k.signalName();
        e.errno = k.errnoName();
        e.targetPid = k.targetPid();
        e.targetComm = k.targetComm();
        e.senderPid = k.senderPid();
        e.senderComm = k.senderComm();
        e.senderUid = k.senderUid();
        e.commit();
    }
}
