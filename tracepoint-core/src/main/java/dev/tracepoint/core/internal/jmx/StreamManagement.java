package dev.tracepoint.core.internal.jmx;

import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.TracepointStreamMXBean;
import dev.tracepoint.core.internal.session.StreamRuntime;

import java.util.List;

/** The MXBean of one stream: reads its counters, as of the consumer's last pass, through the stream and its runtime. */
public final class StreamManagement implements TracepointStreamMXBean {

    private final TracepointStream stream;
    private final StreamRuntime runtime;

    /**
     * @param stream  the stream
     * @param runtime its running side
     */
    public StreamManagement(TracepointStream stream, StreamRuntime runtime) {
        this.stream = stream;
        this.runtime = runtime;
    }

    @Override
    public String getName() {
        return stream.name();
    }

    @Override
    public List<String> getTracepoints() {
        return stream.tracepoints();
    }

    @Override
    public boolean isOpen() {
        return runtime.isOpen();
    }

    @Override
    public long getEvents() {
        return stream.eventCount();
    }

    @Override
    public long getLost() {
        return stream.lostCount();
    }

    @Override
    public long[] getLostPerCpu() {
        int n = 0;
        for (int cpu : stream.cpus()) {
            n = Math.max(n, cpu + 1);
        }
        long[] lost = new long[n];
        for (int cpu = 0; cpu < n; cpu++) {
            lost[cpu] = stream.lostCount(cpu);
        }
        return lost;
    }

    @Override
    public long getCorrupt() {
        return stream.corruptCount();
    }

    @Override
    public long getLate() {
        return stream.lateCount();
    }

    @Override
    public long getEarly() {
        return stream.earlyCount();
    }

    @Override
    public int[] getArmedCpus() {
        return stream.armedCpus();
    }

    @Override
    public int getRings() {
        return runtime.isOpen() ? stream.armedCpus().length : 0;
    }

    @Override
    public long getRingBytes() {
        return runtime.ringBytes();
    }

    @Override
    public long getWakeups() {
        return runtime.wakeups();
    }

    @Override
    public long getConsumerCpuNanos() {
        return StreamMBean.cpuNanos(runtime.consumerThread());
    }

    @Override
    public long getCpuOfflines() {
        return runtime.hotplugGaps()[0];
    }

    @Override
    public long getCpuRearms() {
        return runtime.hotplugGaps()[1];
    }

    @Override
    public long getUnobservedNanos() {
        return runtime.hotplugGaps()[2];
    }
}
