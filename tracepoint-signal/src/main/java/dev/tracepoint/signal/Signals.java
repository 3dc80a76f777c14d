package dev.tracepoint.signal;

import dev.tracepoint.core.internal.text.Suggestions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Names of signal numbers, {@code si_code} values and {@code signal_generate} results, as the kernel numbers
 * them. Every lookup returns a constant string: nothing allocates on the hot path (except a lookup of a
 * value outside every table, which formats the number).
 *
 * <h2>Signal numbers</h2>
 * The names are those of the generic Linux numbering ({@code include/uapi/asm-generic/signal.h}), which
 * x86, x86_64, arm, aarch64, riscv, powerpc, s390 and loongarch share: {@code SIGHUP}=1 ... {@code SIGBUS}=7,
 * {@code SIGUSR1}=10, {@code SIGSTKFLT}=16, {@code SIGCHLD}=17 ... {@code SIGSYS}=31. Realtime signals are
 * named in <em>kernel</em> numbering: {@code SIGRTMIN}=32, so signal 34 is {@code SIGRTMIN+2}. (glibc reserves
 * 32 and 33 for itself and its {@code SIGRTMIN} macro is 34; the kernel, and so the tracepoints, print raw
 * numbers.) On MIPS, SPARC, Alpha and PA-RISC the numbering differs: there {@link #namesKnown()} is false,
 * {@link #name(int)} gives the number and {@link #number(String)} accepts numbers only.
 *
 * <h2>si_code</h2>
 * Negative codes and 0 say who sent the signal ({@code SI_USER} for {@code kill}, {@code SI_QUEUE} for
 * {@code sigqueue}, {@code SI_TKILL} for {@code tkill}/{@code tgkill}, ...), {@code SI_KERNEL} (0x80) that
 * the kernel did, and positive codes are per signal ({@code CLD_EXITED} for {@code SIGCHLD},
 * {@code SEGV_MAPERR} for {@code SIGSEGV}, ...), from {@code include/uapi/asm-generic/siginfo.h}.
 *
 * <h2>Results</h2>
 * {@code signal_generate}'s {@code result} (Linux 3.4+) is {@code enum trace_signal_deliver_result}
 * from {@code include/trace/events/signal.h}: {@link #DELIVERED}, {@link #IGNORED}, {@link #ALREADY_PENDING},
 * {@link #OVERFLOW_FAIL}, {@link #LOSE_INFO}. The format prints it as a bare number ({@code res=%d}), so the
 * names live here.
 */
public final class Signals {

    /** Hangup. */
    public static final int SIGHUP = 1;
    /** Interrupt (Ctrl-C). */
    public static final int SIGINT = 2;
    /** Quit. */
    public static final int SIGQUIT = 3;
    /** Illegal instruction. */
    public static final int SIGILL = 4;
    /** Trace/breakpoint trap. */
    public static final int SIGTRAP = 5;
    /** Abort. */
    public static final int SIGABRT = 6;
    /** Bus error. */
    public static final int SIGBUS = 7;
    /** Floating-point exception. */
    public static final int SIGFPE = 8;
    /** Kill (cannot be caught). */
    public static final int SIGKILL = 9;
    /** User signal 1. */
    public static final int SIGUSR1 = 10;
    /** Segmentation fault. */
    public static final int SIGSEGV = 11;
    /** User signal 2. */
    public static final int SIGUSR2 = 12;
    /** Broken pipe. */
    public static final int SIGPIPE = 13;
    /** Alarm clock. */
    public static final int SIGALRM = 14;
    /** Termination. */
    public static final int SIGTERM = 15;
    /** Child status changed. */
    public static final int SIGCHLD = 17;
    /** Continue. */
    public static final int SIGCONT = 18;
    /** Stop (cannot be caught). */
    public static final int SIGSTOP = 19;
    /** Urgent socket condition (ignored by default). */
    public static final int SIGURG = 23;
    /** Window size change (ignored by default). */
    public static final int SIGWINCH = 28;
    /** Pollable event ({@code SIGIO}). */
    public static final int SIGPOLL = 29;
    /** Bad system call. */
    public static final int SIGSYS = 31;
    /** The first realtime signal in kernel numbering (glibc's {@code SIGRTMIN} is 34). */
    public static final int SIGRTMIN = 32;
    /** The last realtime signal ({@code _NSIG}). */
    public static final int SIGRTMAX = 64;

    /** {@code si_code}: sent by {@code kill}, {@code raise}. */
    public static final int SI_USER = 0;
    /** {@code si_code}: sent by the kernel. */
    public static final int SI_KERNEL = 0x80;
    /** {@code si_code}: sent by {@code sigqueue}. */
    public static final int SI_QUEUE = -1;
    /** {@code si_code}: sent by a POSIX timer expiring. */
    public static final int SI_TIMER = -2;
    /** {@code si_code}: sent by a message queue state change. */
    public static final int SI_MESGQ = -3;
    /** {@code si_code}: sent by AIO completion. */
    public static final int SI_ASYNCIO = -4;
    /** {@code si_code}: sent by queued {@code SIGIO}. */
    public static final int SI_SIGIO = -5;
    /** {@code si_code}: sent by {@code tkill}/{@code tgkill}. */
    public static final int SI_TKILL = -6;
    /** {@code si_code}: sent by {@code execve} killing the other threads. */
    public static final int SI_DETHREAD = -7;
    /** {@code si_code}: sent by glibc's asynchronous name lookup completion. */
    public static final int SI_ASYNCNL = -60;

    /** Result: the signal was queued (or, for {@code SIGKILL} and kernel threads, marked pending). */
    public static final int DELIVERED = 0;
    /** Result: the target ignores the signal, so it was dropped. */
    public static final int IGNORED = 1;
    /** Result: a non-realtime signal that was already pending, so it was merged. */
    public static final int ALREADY_PENDING = 2;
    /** Result: a realtime signal that could not be queued ({@code RLIMIT_SIGPENDING}). */
    public static final int OVERFLOW_FAIL = 3;
    /** Result: queued without its {@code siginfo} (out of memory for it). */
    public static final int LOSE_INFO = 4;

    private static final String[] RESULT_NAMES = {"DELIVERED", "IGNORED", "ALREADY_PENDING", "OVERFLOW_FAIL", "LOSE_INFO"};

    /** Architectures with the generic signal numbering (as {@code os.arch} spells them). */
    private static final String[] GENERIC_ARCHS = {"amd64", "x86_64", "x86", "i386", "i486", "i586", "i686",
        "aarch64", "arm", "arm64", "riscv64", "riscv32", "ppc64le", "ppc64", "ppc", "powerpc", "s390x", "s390",
        "loongarch64"};

    private static final boolean GENERIC = isGenericArch(System.getProperty("os.arch", ""));

    /** Generic numbering, index = signal number; entry 0 unused. */
    private static final String[] GENERIC_NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
        "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
        "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    /** What {@link #name(int)} returns for 0..SIGRTMAX: names, or numbers on other numberings. */
    private static final String[] NAMES = new String[SIGRTMAX + 1];

    /** Small numbers as strings, for values outside the tables: -128..255. */
    private static final String[] NUMBERS = new String[384];

    /** Per-signal positive si_codes, index = signal number, then code. */
    private static final String[][] CODES = new String[SIGRTMAX + 1][];

    /** Negative si_codes -1..-7, index = -code. */
    private static final String[] NEGATIVE_CODES = {"SI_USER", "SI_QUEUE", "SI_TIMER", "SI_MESGQ", "SI_ASYNCIO",
        "SI_SIGIO", "SI_TKILL", "SI_DETHREAD"};

    static {
        for (int i = 0; i < NUMBERS.length; i++) {
            NUMBERS[i] = Integer.toString(i - 128);
        }
        for (int s = 0; s <= SIGRTMAX; s++) {
            if (!GENERIC || s == 0) {
                NAMES[s] = number(s);
            } else if (s < SIGRTMIN) {
                NAMES[s] = GENERIC_NAMES[s];
            } else {
                NAMES[s] = s == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (s - SIGRTMIN);
            }
        }
        CODES[SIGILL] = new String[] {null, "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC",
            "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR"};
        CODES[SIGFPE] = new String[] {null, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND",
            "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB", "FPE_DECOVF", "FPE_DECDIV", "FPE_DECERR", "FPE_INVASC",
            "FPE_INVDEC", "FPE_FLTUNK", "FPE_CONDTRAP"};
        CODES[SIGSEGV] = new String[] {null, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR",
            "SEGV_ACCADI", "SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR", "SEGV_CPERR"};
        CODES[SIGBUS] = new String[] {null, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"};
        CODES[SIGTRAP] = new String[] {null, "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK",
            "TRAP_PERF"};
        CODES[SIGCHLD] = new String[] {null, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED",
            "CLD_CONTINUED"};
        CODES[SIGPOLL] = new String[] {null, "POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR", "POLL_PRI", "POLL_HUP"};
        CODES[SIGSYS] = new String[] {null, "SYS_SECCOMP", "SYS_USER_DISPATCH"};
    }

    private Signals() {
    }

    /**
     * Tells whether an architecture is one of those known to use the generic numbering whose names this
     * class gives (see the class comment); false for MIPS, SPARC, Alpha and PA-RISC, and for any other it
     * does not list.
     *
     * @param arch an {@code os.arch} value
     * @return whether that architecture uses the generic Linux signal numbering this class names
     */
    public static boolean isGenericArch(String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        for (String g : GENERIC_ARCHS) {
            if (g.equals(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells whether {@link #name(int)} and {@link #number(String)} know names on the machine this JVM runs
     * on; when not, they deal in numbers only.
     *
     * @return whether signal names are known for this JVM's architecture (see the class comment)
     */
    public static boolean namesKnown() {
        return GENERIC;
    }

    /**
     * Names a signal number, realtime signals in kernel numbering. Allocation-free (see the class comment).
     *
     * @param sig a signal number
     * @return its name ({@code "SIGKILL"}, {@code "SIGRTMIN+2"}), or the number as text when it has none
     */
    public static String name(int sig) {
        if (sig >= 0 && sig <= SIGRTMAX) {
            return NAMES[sig];
        }
        return number(sig);
    }

    /**
     * Parses a signal as users write it: a number ({@code 9}), a name with or without {@code SIG}, in any
     * case ({@code KILL}, {@code SIGKILL}, {@code sigterm}), the aliases {@code IOT}, {@code POLL} and
     * {@code CLD}, or a realtime signal in kernel numbering ({@code RTMIN}, {@code RTMIN+2}, {@code RTMAX-1}).
     *
     * @param text the signal
     * @return its number, 1..64
     * @throws IllegalArgumentException naming the text when it is no signal
     */
    public static int number(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (!t.isEmpty() && Character.isDigit(t.charAt(0))) {
            try {
                int n = Integer.parseInt(t);
                if (n >= 1 && n <= SIGRTMAX) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("not a signal number (1.." + SIGRTMAX + "): " + text);
        }
        if (!GENERIC) {
            throw new IllegalArgumentException("signal names are known only for the generic Linux numbering, not for os.arch="
                    + System.getProperty("os.arch") + ": give the number instead of " + text);
        }
        if (t.startsWith("SIG")) {
            t = t.substring(3);
        }
        switch (t) {
            case "IOT":
                return SIGABRT;
            case "POLL":
                return SIGPOLL;
            case "CLD":
                return SIGCHLD;
            default:
                break;
        }
        for (int s = 1; s < SIGRTMIN; s++) {
            if (GENERIC_NAMES[s].substring(3).equals(t)) {
                return s;
            }
        }
        int rt = realtime(t);
        if (rt > 0) {
            return rt;
        }
        List<String> names = new ArrayList<>();
        for (int s = 1; s < SIGRTMIN; s++) {
            names.add(GENERIC_NAMES[s].substring(3));
        }
        names.addAll(List.of("RTMIN", "RTMAX")); // not the aliases: one name per signal
        throw new IllegalArgumentException("unknown signal: " + text + Suggestions.didYouMean(t, names)
                + " (use a name such as KILL, TERM, USR1, CHLD, RTMIN+2, or a number 1.." + SIGRTMAX + ")");
    }

    private static int realtime(String t) {
        int base;
        int sign;
        String rest;
        if (t.startsWith("RTMIN")) {
            base = SIGRTMIN;
            sign = 1;
            rest = t.substring(5);
        } else if (t.startsWith("RTMAX")) {
            base = SIGRTMAX;
            sign = -1;
            rest = t.substring(5);
        } else {
            return -1;
        }
        if (rest.isEmpty()) {
            return base;
        }
        if (rest.charAt(0) != (sign > 0 ? '+' : '-')) {
            return -1;
        }
        try {
            int n = base + sign * Integer.parseInt(rest.substring(1));
            return n >= SIGRTMIN && n <= SIGRTMAX ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Names an {@code si_code}, which says who or what sent a signal. Allocation-free (see the class comment).
     *
     * @param sig  the signal number (positive codes mean different things per signal)
     * @param code the {@code si_code}
     * @return its name ({@code "SI_USER"}, {@code "CLD_EXITED"}), or the number as text when it has none
     */
    public static String codeName(int sig, int code) {
        if (!GENERIC) {
            return number(code);
        }
        if (code <= 0) {
            if (code >= -7) {
                return NEGATIVE_CODES[-code];
            }
            return code == SI_ASYNCNL ? "SI_ASYNCNL" : number(code);
        }
        if (code == SI_KERNEL) {
            return "SI_KERNEL";
        }
        if (sig > 0 && sig <= SIGRTMAX) {
            String[] codes = CODES[sig];
            if (codes != null && code < codes.length) {
                return codes[code];
            }
        }
        return number(code);
    }

    /**
     * Names a {@code signal_generate} result, which the kernel prints as a bare number. Allocation-free
     * (see the class comment).
     *
     * @param result a {@code signal_generate} result
     * @return its name ({@code "DELIVERED"}, {@code "IGNORED"}, ...), or the number as text when it has none
     */
    public static String resultName(int result) {
        if (result >= 0 && result < RESULT_NAMES.length) {
            return RESULT_NAMES[result];
        }
        return number(result);
    }

    /**
     * Parses a result name ({@code DELIVERED}, {@code ignored}, ...) or number.
     *
     * @param text the result
     * @return its number
     * @throws IllegalArgumentException when it is no result
     */
    public static int result(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        for (int i = 0; i < RESULT_NAMES.length; i++) {
            if (RESULT_NAMES[i].equals(t) || Integer.toString(i).equals(t)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown signal result: " + text + " (one of DELIVERED, IGNORED, ALREADY_PENDING, "
                + "OVERFLOW_FAIL, LOSE_INFO)");
    }

    /**
     * Names the two special values of a signal handler; a real handler is a function address, which has no
     * name here.
     *
     * @param handler a {@code signal_deliver} {@code sa_handler}
     * @return {@code "SIG_DFL"} (0), {@code "SIG_IGN"} (1), or {@code null} for a handler function
     */
    public static String handlerName(long handler) {
        return handler == 0 ? "SIG_DFL" : handler == 1 ? "SIG_IGN" : null;
    }

    /** A number as text; cached for small values, so tables of unknown values stay allocation-free. */
    static String number(int n) {
        if (n >= -128 && n < NUMBERS.length - 128) {
            return NUMBERS[n + 128];
        }
        return Integer.toString(n);
    }
}
