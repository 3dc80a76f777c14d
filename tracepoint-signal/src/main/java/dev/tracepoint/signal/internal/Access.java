package dev.tracepoint.signal.internal;

import dev.tracepoint.core.TracefsUnavailableException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Turns "tracefs unavailable" into what is really missing when the user lacks privileges. */
final class Access {

    private Access() {
    }

    /**
     * Explains a tracefs failure. A non-root user cannot even see into the root-only tracefs mount, which the
     * core reports as "not mounted"; if a tracefs mount exists and this user cannot read it, say so.
     *
     * @param e the failure
     * @return the exception to report
     */
    static TracefsUnavailableException explain(TracefsUnavailableException e) {
        int uid = uid();
        if (uid == 0) {
            return e;
        }
        for (Path mount : tracefsMounts()) {
            if (!Files.isReadable(mount) || !Files.isDirectory(mount.resolve("events"))) {
                return new TracefsUnavailableException("permission denied: tracefs is mounted at " + mount
                        + " but this user (uid=" + uid + ") cannot read it (tracefs is root-only, mode 0700, by default). "
                        + "The signal monitor needs root: run it as root (sudo ./tracepoint signals ...), or grant read access to a group "
                        + "(mount -o remount,gid=<group>,mode=0750 " + mount + ") together with CAP_PERFMON "
                        + "(setcap cap_perfmon+ep on the java binary) for perf_event_open", e);
            }
        }
        return e;
    }

    private static List<Path> tracefsMounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(l -> l.contains(" - tracefs "))
                    .map(l -> l.split(" "))
                    .filter(p -> p.length > 4)
                    .map(p -> Path.of(p[4].replace("\\040", " ")))
                    .toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static int uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: report the original failure
        }
        return 0;
    }
}
