package dev.tracepoint.core.probe;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.internal.elf.ElfException;
import dev.tracepoint.core.internal.elf.ElfFile;
import dev.tracepoint.core.internal.elf.UsdtNote;
import dev.tracepoint.core.internal.probe.UsdtArgs;
import dev.tracepoint.core.internal.probe.DynamicEvents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Defines dynamic probes in tracefs and subscribes to them. A probe's definition is written to
 * {@code dynamic_events} (or {@code uprobe_events}) under the group {@code tp_<pid>} of this process, then the
 * event is subscribed exactly like a tracepoint (its format and id read from {@code events/tp_<pid>/<name>/}).
 * A probe enabled on a stream is removed when the stream closes, and when opening it fails; the definitions a
 * process could not remove (it was killed) are removed by {@link #sweep}, which every new definition runs first.
 */
public final class Probes {

    private Probes() {
    }

    /**
     * Defines a probe and adds it to a stream, which removes the definition when it closes (or fails to open).
     * Set up the subscription's filter and listeners as for a tracepoint.
     *
     * @param stream a stream not yet open
     * @param probe  the probe
     * @return its subscription
     * @throws ProbeException        when the probe cannot be defined (quoting the kernel's explanation)
     * @throws TracepointException   when its event cannot be subscribed (its definition is then removed)
     * @throws IllegalStateException when the stream is open or closed
     */
    public static Subscription enable(TracepointStream stream, Probe probe) throws TracepointException {
        stream.onClose(() -> { }); // fails before anything is defined when the stream is open or closed
        ProbeDefinition def = define(stream.tracefs(), probe);
        try {
            Subscription s = stream.enable(def.tracepoint());
            stream.onClose(def::close);
            return s;
        } catch (TracepointException | RuntimeException | Error e) {
            try {
                def.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Attaches to a USDT marker of a binary: one uprobe per site of the marker in {@code .note.stapsdt}, each
     * fetching the marker's arguments as fields {@code arg1..argN} (typed from their specifications:
     * {@code -4@%r14d} becomes an {@code s32}), named {@code <marker>_<site>}, all removed when the stream closes.
     * The marker's semaphore, if any, is passed to the kernel, which sets it while the probes are in use.
     *
     * @param stream a stream not yet open
     * @param binary an executable or shared library with USDT markers ({@code libjvm.so} has {@code hotspot}'s)
     * @param marker {@code provider:name}, such as {@code hotspot:thread__start}
     * @return the subscriptions, one per site, in note order
     * @throws ProbeException      when the binary has no such marker, its arguments cannot be translated (x86_64's
     *                             and aarch64's are), or the kernel rejects a site (the sites defined
     *                             before it stay the stream's, which removes them when it closes)
     * @throws TracepointException when a site's event cannot be subscribed
     */
    public static List<Subscription> enableUsdt(TracepointStream stream, Path binary, String marker) throws TracepointException {
        List<Subscription> out = new ArrayList<>();
        for (Probe p : usdtSites(binary, marker)) {
            out.add(enable(stream, p)); // each removed at close; a failure leaves the earlier ones to the stream's close
        }
        return out;
    }

    /**
     * The probes {@link #enableUsdt} defines for a USDT marker: one uprobe per site, at the site's file offset,
     * with the marker's semaphore as its reference counter, fetching the marker's arguments as {@code arg1..argN},
     * named {@code <marker>_<site>}. More fetch arguments may be added to each before it is enabled.
     *
     * @param binary an executable or shared library with USDT markers
     * @param marker {@code provider:name}, such as {@code hotspot:gc__begin}
     * @return the sites' probes, in note order
     * @throws ProbeException           when the binary cannot be read, has no such marker, or its arguments cannot
     *                                  be translated (x86_64's and aarch64's are)
     * @throws IllegalArgumentException when {@code marker} is not {@code provider:name}
     */
    public static List<Probe> usdtSites(Path binary, String marker) throws ProbeException {
        int colon = marker.indexOf(':');
        if (colon <= 0 || colon == marker.length() - 1) {
            throw new IllegalArgumentException("USDT marker '" + marker + "' is not provider:name");
        }
        String provider = marker.substring(0, colon);
        String name = marker.substring(colon + 1);
        List<Probe> sites = new ArrayList<>();
        try {
            ElfFile elf = ElfFile.open(binary);
            List<UsdtNote> notes = UsdtNote.of(elf).stream()
                    .filter(n -> n.provider().equals(provider) && n.name().equals(name)).toList();
            if (notes.isEmpty()) {
                throw new ProbeException("no USDT marker " + marker + " in " + binary + " (.note.stapsdt)", null, null);
            }
            boolean x86 = elf.machine() == ElfFile.EM_X86_64;
            for (int i = 0; i < notes.size(); i++) {
                UsdtNote n = notes.get(i);
                long sem = n.semaphore() != 0 ? elf.fileOffset(n.semaphore()) : 0;
                Probe p = Probe.usdtSite(binary, elf.fileOffset(n.pc()), sem, (name + "_" + i).replaceAll("[^A-Za-z0-9_]", "_"));
                for (int a = 0; a < n.args().size(); a++) {
                    try {
                        String spec = n.args().get(a);
                        p = p.fetch("arg" + (a + 1), x86 ? UsdtArgs.x86(spec) : UsdtArgs.aarch64(spec));
                    } catch (IllegalArgumentException e) {
                        throw new ProbeException(binary + ": USDT marker " + marker + " site " + i + ": " + e.getMessage(), null, e);
                    }
                }
                sites.add(p);
            }
        } catch (ElfException e) {
            throw new ProbeException("cannot read USDT marker " + marker + ": " + e.getMessage(), null, e);
        }
        return sites;
    }

    /**
     * The USDT markers of a binary, as {@code provider:name}, each once, in note order.
     *
     * @param binary an executable or shared library
     * @return its markers; none when it has no {@code .note.stapsdt}
     * @throws ProbeException when the file cannot be read as an ELF
     */
    public static List<String> usdtMarkers(Path binary) throws ProbeException {
        try {
            return UsdtNote.of(ElfFile.open(binary)).stream().map(n -> n.provider() + ":" + n.name()).distinct().toList();
        } catch (ElfException e) {
            throw new ProbeException("cannot read USDT markers: " + e.getMessage(), null, e);
        }
    }

    /**
     * Defines a probe in tracefs, until the definition is closed.
     *
     * @param tracefs the tracefs to define it in
     * @param probe   the probe
     * @return the definition, to subscribe by {@link ProbeDefinition#tracepoint()} and to close
     * @throws ProbeException when the binary or function is not found, the kernel lacks the probe type, or it
     *                        rejects the definition (the message quotes its {@code error_log} entry); nothing
     *                        is left defined
     */
    public static ProbeDefinition define(Tracefs tracefs, Probe probe) throws ProbeException {
        DynamicEvents events = new DynamicEvents(tracefs.root());
        String location;
        switch (probe.kind()) {
            case KPROBE, KRETPROBE -> {
                if (!events.hasKprobes()) {
                    throw new ProbeException("cannot define " + probe + ": this kernel lacks CONFIG_KPROBE_EVENTS (no "
                            + tracefs.root().resolve("kprobe_events") + "), so it has no kprobes", null, null);
                }
                location = probe.symbol();
            }
            default -> {
                if (!events.hasUprobes()) {
                    throw new ProbeException("cannot define " + probe + ": this kernel lacks CONFIG_UPROBE_EVENTS (no "
                            + tracefs.root().resolve("uprobe_events") + ")", null, null);
                }
                long offset = probe.offset();
                if (probe.symbol() != null) {
                    try {
                        offset = ElfFile.open(probe.binary()).functionOffset(probe.symbol());
                    } catch (ElfException e) {
                        throw new ProbeException("cannot define " + probe + ": " + e.getMessage(), null, e);
                    }
                }
                location = probe.binary() + ":0x" + Long.toHexString(offset)
                        + (probe.refCtrOffset() != 0 ? "(0x" + Long.toHexString(probe.refCtrOffset()) + ")" : "");
            }
        }
        try {
            events.sweep(); // what killed processes left behind, before this process adds its own
        } catch (IOException e) {
            // left for the next definition (or an explicit sweep) to remove; it does not hinder this one
        }
        String group = DynamicEvents.ownGroup();
        String line = probe.definition(group, location);
        try {
            events.write(line);
        } catch (IOException e) {
            String kernel = events.errorFor(line);
            // a rejected write defines nothing (an event of the same name that already exists is not this one)
            throw new ProbeException("the kernel rejected the probe definition '" + line + "': " + e.getMessage()
                    + (kernel != null ? "\n" + kernel.indent(2).stripTrailing() : ""), kernel, e);
        }
        return new ProbeDefinition(events, group, probe.name(), line);
    }

    /**
     * Removes the probe definitions of the groups {@code tp_<pid>} whose process no longer runs (a process
     * killed before its streams closed); the definitions of other groups and of live processes are never touched.
     *
     * @param tracefs the tracefs to sweep
     * @return the removed events, as {@code group/event}
     * @throws TracepointException when the definitions cannot be read or one cannot be removed
     */
    public static List<String> sweep(Tracefs tracefs) throws TracepointException {
        DynamicEvents events = new DynamicEvents(tracefs.root());
        try {
            return events.sweep();
        } catch (IOException e) {
            throw new TracepointException("cannot sweep the probes of exited processes in " + events.controlFile() + ": " + e, e);
        }
    }
}
