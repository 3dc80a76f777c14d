package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.internal.perf.Libc;

/**
 * Makes Ctrl-C and SIGTERM end a monitor cleanly: the stream is closed (its rings drained) and the final
 * summary printed exactly once, whichever of the main thread and the signal gets there first.
 */
public final class Shutdown {

    private final Runnable stop;
    private final Runnable summary;
    private boolean summarized;

    /**
     * @param stop    closes the stream (idempotent, waits until it has drained and released)
     * @param summary prints the final summary
     */
    public Shutdown(Runnable stop, Runnable summary) {
        this.stop = stop;
        this.summary = summary;
    }

    /**
     * Installs the handlers. A JVM started in the background by a non-interactive shell inherits SIGINT as
     * ignored, and then never runs its shutdown hooks on SIGINT: so the default disposition is restored first
     * and the signal routed to {@link System#exit}, which runs the hook below.
     */
    public void install() {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Libc.restoreDefaultSignal(name.equals("INT") ? Libc.SIGINT : Libc.SIGTERM);
                int status = name.equals("INT") ? 130 : 143;
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> System.exit(status));
            } catch (RuntimeException e) {
                // the shutdown hook still covers a SIGTERM the JVM handles itself
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            finish();
        }, "tracepoint-shutdown"));
    }

    /**
     * Runs {@code action} on each delivery of a signal, on a thread of the JVM's signal dispatch (for
     * instance {@code --flight}'s snapshot on SIGUSR2). Install it before announcing readiness: until then
     * the signal's default action (for SIGUSR2: terminate) applies.
     *
     * @param name   the signal's name without {@code SIG}, e.g. {@code "USR2"}
     * @param action what to run
     * @throws IllegalArgumentException when the JVM reserves the signal
     */
    public static void on(String name, Runnable action) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
    }

    /**
     * Runs {@code stop} after {@code seconds} on a daemon thread ({@code --duration}).
     *
     * @param seconds the delay
     * @param stop    what to run, e.g. the stream's close
     */
    public static void after(double seconds, Runnable stop) {
        daemon("tracepoint-duration", () -> {
            try {
                Thread.sleep((long) (seconds * 1000));
            } catch (InterruptedException e) {
                return;
            }
            stop.run();
        });
    }

    /**
     * Runs {@code tick} every {@code seconds} on a daemon thread until {@code done} says so (periodic tables).
     * Ticks keep a fixed rate: a slow tick does not shift the ones after it.
     *
     * @param name    the thread name
     * @param seconds the period
     * @param done    checked before each tick
     * @param tick    what to run
     */
    public static void every(String name, double seconds, java.util.function.BooleanSupplier done, Runnable tick) {
        long period = (long) (seconds * 1e9);
        daemon(name, () -> {
            long next = System.nanoTime() + period;
            while (!done.getAsBoolean()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                next += period;
                tick.run();
            }
        });
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Prints the summary unless it was printed already; safe from any thread. */
    public synchronized void finish() {
        if (!summarized) {
            summarized = true;
            summary.run();
        }
    }
}
