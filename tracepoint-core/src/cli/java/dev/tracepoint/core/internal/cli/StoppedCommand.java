package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.internal.perf.Libc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command of {@code stream ... -- CMD [ARGS...]}: started stopped before its {@code exec}, so that a stream
 * scoped to its process is open before the command runs a single instruction of its own, then resumed. A
 * shell starts first, stops itself ({@code kill -STOP $$}), and once resumed ({@code SIGCONT}) replaces itself
 * with the command ({@code exec "$@"}): same process, so the stream's events (opened with {@code inherit} while
 * it is stopped, with one thread and no child) cover the command and every task it creates. Its standard
 * streams are the launcher's. When the launcher's JVM exits while the command still runs, the command gets
 * {@code SIGTERM}.
 */
final class StoppedCommand {

    private static final long START_TIMEOUT_NANOS = 10_000_000_000L;

    private final Process process;
    private final String name;

    private StoppedCommand(Process process, String name) {
        this.process = process;
        this.name = name;
    }

    /**
     * Starts the command and waits until it is stopped, before its exec.
     *
     * @param argv the command and its arguments
     * @return the stopped command
     * @throws IOException when the shell cannot be started, or exits or does not stop within 10 s
     */
    static StoppedCommand start(List<String> argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$; exec \"$@\"", "sh"));
        cmd.addAll(argv);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        StoppedCommand c = new StoppedCommand(p, argv.get(0));
        // not left stopped behind a launcher that fails before it resumes the command, or is itself ended
        Runtime.getRuntime().addShutdownHook(new Thread(c::terminate, "tracepoint-command-end"));
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (!c.stopped()) {
            if (!p.isAlive()) {
                throw new IOException("the shell that starts " + c.name + " exited with status " + p.exitValue()
                        + " before it stopped");
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("the shell that starts " + c.name + " did not stop within 10 s");
            }
            Thread.sleep(1);
        }
        return c;
    }

    /** Whether the process is stopped: state {@code T} in {@code /proc/PID/stat}. */
    private boolean stopped() throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        } catch (NoSuchFileException e) {
            return false;
        }
        int close = stat.lastIndexOf(')'); // "pid (comm) S ...": comm may hold spaces and parentheses
        return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'T';
    }

    /** {@return the command's process id (the shell's, which becomes the command's)} */
    long pid() {
        return process.pid();
    }

    /** {@return the command's name, for messages} */
    String name() {
        return name;
    }

    /** Resumes the command: the shell runs its exec. */
    void resume() {
        Libc.kill((int) process.pid(), Libc.SIGCONT);
    }

    /** {@return whether the command still runs} */
    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the command to exit.
     *
     * @return its exit status; {@code 128 + N} when signal {@code N} killed it, as a shell reports it
     */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Ends the command: {@code SIGTERM}, and {@code SIGCONT} in case it is still stopped. */
    void terminate() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            Libc.kill((int) process.pid(), Libc.SIGCONT);
        } catch (RuntimeException gone) {
            // exited meanwhile
        }
    }
}
