package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.CpuListener;

import java.io.PrintStream;

/** The launcher's one line on stderr per CPU hotplug change, for every command that streams. */
public final class CpuNotices implements CpuListener {

    private final PrintStream err;

    /** @param err where the lines go */
    public CpuNotices(PrintStream err) {
        this.err = err;
    }

    @Override
    public void onCpuOffline(int cpu) {
        err.println("tracepoint: CPU " + cpu + " went offline; its events are re-armed when it returns");
        err.flush();
    }

    @Override
    public void onCpuArmed(int cpu, long unobservedNanos) {
        err.printf("tracepoint: CPU %d armed (unobserved for at most %.1f ms before)%n", cpu, unobservedNanos / 1e6);
        err.flush();
    }
}
