package dev.tracepoint.core.probe;

import dev.tracepoint.core.Subscription;
import dev.tracepoint.core.Tracefs;
import dev.tracepoint.core.TracepointException;
import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.internal.elf.ElfException;
import dev.tracepoint.core.internal.elf.ElfFile;
import dev.tracepoint.core.internal.probe.DynamicEvents;

import java.io.IOException;
import java.util.List;

/**
 * Defines dynamic probes in tracefs and subscribes to them. A probe's definition is written to
 * {@code dynamic_events} (or {@code uprobe_events}) under the group {@code tp_<pid>} of this process, then the
 * event is subscribed exactly like a tracepoint (its format and id read from {@code events/tp_<pid>/<name>/}).
 * A probe enabled on a stream is removed when the stream closes, and when opening it fails; the definitions a
 * process could not remove (it was killed) are removed by {@link #sweep}.
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
                location = probe.binary() + ":0x" + Long.toHexString(offset);
            }
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
