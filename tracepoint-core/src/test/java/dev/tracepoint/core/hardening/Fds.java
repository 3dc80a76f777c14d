package dev.tracepoint.core.hardening;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What this process has open and mapped, from /proc/self: the leak checks of the hardening tests. */
final class Fds {

    private Fds() {
    }

    /** @return the link targets of every open fd */
    static List<String> targets() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    out.add(Files.readSymbolicLink(p).toString());
                } catch (IOException gone) {
                    // the listing's own fd, closed by now
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** @return fds of the kinds the library opens: perf events, epoll instances, eventfds */
    static long library() {
        return targets().stream().filter(t -> t.contains("perf_event") || t.contains("eventpoll") || t.contains("eventfd")).count();
    }

    /** @return perf ring mappings */
    static long perfMappings() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("perf_event")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
