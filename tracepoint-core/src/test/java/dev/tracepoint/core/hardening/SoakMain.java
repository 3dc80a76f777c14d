package dev.tracepoint.core.hardening;

import dev.tracepoint.core.Filter;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Soak driver (not a test; run by {@code benchmarks/scripts/soak.sh}): one stream on
 * {@code syscalls:sys_enter_getppid} for N minutes while two copies of the bench's {@code sysload} generator
 * (the highest event rate of {@code ../shared/bench}, its {@code sysx2} load) run back to back, one per CPU.
 * A kernel filter on the generator's unique {@code comm} keeps every other process out, so at the end
 * {@code delivered + lost == generated} must hold exactly (the stream reports at close the losses the
 * kernel had not announced yet). Every interval it samples heap used (after a GC), RSS, open fds and perf
 * mappings, and prints a markdown table; the last line is {@code SOAK PASS} or {@code SOAK FAIL ...}.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp CLASSES dev.tracepoint.core.hardening.SoakMain
 *     --generator PATH [--minutes 10] [--rounds-n 5000000] [--pages 128] [--interval-s 30]</pre>
 *
 * The generator binary's file name (at most 15 characters) is its {@code comm}: give it a name no other
 * process uses.
 */
public final class SoakMain {

    private static final ProcessBuilder.Redirect NULL = ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));

    private SoakMain() {
    }

    /** One row of the table. */
    record Sample(double minutes, long heapUsed, long rssKb, int fds, int libraryFds, int perfMaps, long delivered, long lost,
                  long generatedDone, long corrupt, String otherFds) {
    }

    public static void main(String[] args) throws Exception {
        Path generator = null;
        double minutes = 10;
        long roundN = 5_000_000;
        int pages = 128;
        int intervalS = 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--generator" -> generator = Path.of(args[++i]);
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--rounds-n" -> roundN = Long.parseLong(args[++i]);
                case "--pages" -> pages = Integer.parseInt(args[++i]);
                case "--interval-s" -> intervalS = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (generator == null || !Files.isExecutable(generator)) {
            throw new IllegalArgumentException("--generator must name the sysload binary: " + generator);
        }
        String comm = generator.getFileName().toString();
        if (comm.length() > 15) {
            throw new IllegalArgumentException("generator name longer than comm's 15 characters: " + comm);
        }

        AtomicLong delivered = new AtomicLong();
        AtomicLong checksum = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Sample> samples = new ArrayList<>();
        long generated = 0;
        long rounds = 0;
        Instant start = Instant.now();
        Duration total = Duration.ofMillis((long) (minutes * 60_000));

        int fds0 = fdCount();
        TracepointStream stream = TracepointStream.builder().ringPages(pages).build();
        String tp = "syscalls:sys_enter_getppid";
        EventFormat format = stream.format(tp);
        Field nr = format.requireField("__syscall_nr");
        stream.enable(tp).filter(Filter.comm().eq(comm));
        stream.onEvent(tp, e -> {
            delivered.incrementAndGet();
            checksum.addAndGet(e.getLong(nr));
        });
        stream.onError(t -> errors.incrementAndGet());
        stream.startAsync();
        System.out.printf(Locale.ROOT, "soak: %s for %.1f min, generator %s x2 (N=%d per run), %d ring pages, fds at start %d%n",
                tp, minutes, comm, roundN, pages, fds0);

        long nextSample = 0;
        samples.add(sample(start, stream, delivered.get(), 0));
        nextSample += intervalS * 1000L;
        while (Duration.between(start, Instant.now()).compareTo(total) < 0) {
            Process a = new ProcessBuilder("taskset", "-c", "0", generator.toString(), Long.toString(roundN)).redirectInput(NULL)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Process b = new ProcessBuilder("taskset", "-c", "1", generator.toString(), Long.toString(roundN)).redirectInput(NULL)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (a.waitFor() != 0 || b.waitFor() != 0) {
                throw new IllegalStateException("generator failed: rc=" + a.exitValue() + "," + b.exitValue());
            }
            generated += 2 * roundN;
            rounds += 2;
            long elapsed = Duration.between(start, Instant.now()).toMillis();
            if (elapsed >= nextSample) {
                samples.add(sample(start, stream, delivered.get(), generated));
                Sample s = samples.getLast();
                System.out.printf(Locale.ROOT, "  t=%.1f min heap=%d MiB rss=%d MiB fds=%d (library %d) perfmaps=%d delivered=%d lost=%d generated=%d%n",
                        s.minutes, s.heapUsed >> 20, s.rssKb >> 10, s.fds, s.libraryFds, s.perfMaps, s.delivered, s.lost, s.generatedDone);
                nextSample += intervalS * 1000L;
            }
        }
        Thread.sleep(300); // let the last wakeup pass; close drains the rest anyway
        stream.close();
        long lost = stream.lostCount();
        long got = delivered.get();
        Sample end = sample(start, stream, got, generated);
        samples.add(end);
        System.gc();
        int fdsAfter = fdCount();
        int mapsAfter = perfMaps();

        StringBuilder out = new StringBuilder();
        out.append("| t (min) | heap used after GC (MiB) | RSS (MiB) | fds (all) | library fds (perf, epoll, eventfd) | perf mappings | delivered | lost | generated (finished runs) |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Sample s : samples) {
            out.append(String.format(Locale.ROOT, "| %.1f | %.1f | %.1f | %d | %d | %d | %d | %d | %d |%n", s.minutes,
                    s.heapUsed / 1048576.0, s.rssKb / 1024.0, s.fds, s.libraryFds, s.perfMaps, s.delivered, s.lost, s.generatedDone));
        }
        System.out.print(out);
        long heapMin = samples.stream().skip(1).mapToLong(Sample::heapUsed).min().orElse(0);
        long heapMax = samples.stream().skip(1).mapToLong(Sample::heapUsed).max().orElse(0);
        long rssMin = samples.stream().skip(1).mapToLong(Sample::rssKb).min().orElse(0);
        long rssMax = samples.stream().skip(1).mapToLong(Sample::rssKb).max().orElse(0);
        int fdsMin = samples.stream().limit(samples.size() - 1).mapToInt(Sample::libraryFds).min().orElse(0);
        int fdsMax = samples.stream().limit(samples.size() - 1).mapToInt(Sample::libraryFds).max().orElse(0);
        int allMin = samples.stream().limit(samples.size() - 1).mapToInt(Sample::fds).min().orElse(0);
        int allMax = samples.stream().limit(samples.size() - 1).mapToInt(Sample::fds).max().orElse(0);
        int mapsMin = samples.stream().limit(samples.size() - 1).mapToInt(Sample::perfMaps).min().orElse(0);
        int mapsMax = samples.stream().limit(samples.size() - 1).mapToInt(Sample::perfMaps).max().orElse(0);
        System.out.printf(Locale.ROOT, "generator runs: %d, generated: %d, delivered: %d, lost: %d, delivered+lost: %d, "
                        + "listener/corruption errors: %d, corrupt: %d, checksum ok: %b%n", rounds, generated, got, lost, got + lost,
                errors.get(), stream.corruptCount(), checksum.get() == got * 110);
        System.out.printf(Locale.ROOT, "heap after GC %.1f-%.1f MiB, RSS %.1f-%.1f MiB, library fds while open %d-%d, all fds while open %d-%d "
                        + "(%d before open, %d after close), perf mappings while open %d-%d (%d after close)%n",
                heapMin / 1048576.0, heapMax / 1048576.0, rssMin / 1024.0, rssMax / 1024.0, fdsMin, fdsMax, allMin, allMax, fds0, fdsAfter,
                mapsMin, mapsMax, mapsAfter);
        List<String> failures = new ArrayList<>();
        if (got + lost != generated) {
            failures.add("delivered+lost=" + (got + lost) + " != generated=" + generated);
        }
        if (fdsMin != fdsMax || fdsAfter > fds0 || libraryFds() != 0) {
            failures.add("fd count not flat: library fds " + fdsMin + "-" + fdsMax + ", all before=" + fds0 + " after=" + fdsAfter);
        }
        if (mapsMin != mapsMax || mapsAfter != 0) {
            failures.add("perf mappings not flat: " + mapsMin + "-" + mapsMax + " after=" + mapsAfter);
        }
        if (heapMax > 2 * Math.max(heapMin, 16L << 20)) {
            failures.add("heap grew: " + heapMin + " -> " + heapMax);
        }
        if (rssMax > rssMin + 64 * 1024) {
            failures.add("RSS grew by more than 64 MiB: " + rssMin + " -> " + rssMax + " KiB");
        }
        if (checksum.get() != got * 110) { // __syscall_nr of getppid is 110 on x86_64
            failures.add("decoded __syscall_nr mismatch");
        }
        System.out.println(failures.isEmpty() ? "SOAK PASS" : "SOAK FAIL " + failures);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    private static Sample sample(Instant start, TracepointStream stream, long delivered, long generated) throws IOException {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Sample(Duration.between(start, Instant.now()).toMillis() / 60_000.0, heap, rssKb(), fdCount(), libraryFds(), perfMaps(),
                delivered, stream.lostCount(), generated, stream.corruptCount(), otherFds());
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static int fdCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1; // minus the directory stream's own fd
        }
    }

    /** @return the fds the library opens: perf events, the epoll instance and the wakeup eventfd */
    static int libraryFds() throws IOException {
        int n = 0;
        for (String target : fdTargets()) {
            if (target.contains("perf_event") || target.contains("eventpoll") || target.contains("eventfd")) {
                n++;
            }
        }
        return n;
    }

    /** @return what the other fds are (JVM files, pipes, sockets), to explain a change in the total */
    static String otherFds() throws IOException {
        List<String> other = new ArrayList<>();
        for (String target : fdTargets()) {
            if (!(target.contains("perf_event") || target.contains("eventpoll") || target.contains("eventfd"))) {
                other.add(target);
            }
        }
        return other.toString();
    }

    private static List<String> fdTargets() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    out.add(Files.readSymbolicLink(p).toString());
                } catch (IOException gone) {
                    // the directory stream's own fd, closed by now
                }
            }
        }
        return out;
    }

    static int perfMaps() throws IOException {
        return (int) Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("perf_event")).count();
    }
}
