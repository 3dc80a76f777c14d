package dev.tracepoint.core.internal.cli;

import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code --jfr FILE} of {@code record}, {@code signals} and {@code drops}: a JFR recording of the given event
 * types (and the streams' {@code tracepoint.Statistics} and {@code tracepoint.Lost}), written to FILE when the
 * command stops. Only these events: the launcher's own JVM events are of no interest next to the kernel's.
 */
public final class JfrFile {

    private final Recording recording = new Recording();
    private final Path file;
    private boolean stopped;

    /**
     * Starts the recording.
     *
     * @param file   where it is written when {@link #stop} is called
     * @param events the JFR event names to enable
     * @throws UsageException when FILE's directory does not exist
     */
    public JfrFile(Path file, List<String> events) throws UsageException, IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new UsageException("--jfr " + file + ": no such directory " + dir);
        }
        this.file = file;
        recording.setName("tracepoint");
        for (String e : events) {
            recording.enable(e).withoutThreshold().withoutStackTrace();
        }
        recording.enable("tracepoint.Statistics").withPeriod(Duration.ofSeconds(1));
        recording.enable("tracepoint.Lost");
        recording.setToDisk(true);
        // written by stop(), or by JFR's own shutdown hook should it stop the recording first (Ctrl-C, SIGTERM:
        // the hooks run in no given order; events the stream drains after that are not in the file)
        recording.setDestination(file);
        recording.start();
    }

    /** {@return the file the recording goes to} */
    public Path file() {
        return file;
    }

    /**
     * Stops the recording and writes it; once (later calls do nothing).
     *
     * @param err where to say what was written
     */
    public synchronized void stop(PrintStream err) {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            if (recording.getState() == RecordingState.RUNNING) {
                recording.stop(); // writes the destination
            }
        } catch (IllegalStateException raced) {
            // JFR's shutdown hook stopped it meanwhile, and writes it
        }
        try {
            err.println("recording written to " + file + " (" + Files.size(file) + " bytes): jfr print --events 'tracepoint.*' " + file);
        } catch (IOException e) {
            err.println("tracepoint: could not write " + file + ": " + e.getMessage());
        }
        err.flush();
    }
}
