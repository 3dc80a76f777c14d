/**
 * Kernel events in JDK Flight Recorder: {@link dev.tracepoint.core.jfr.JfrBridge} forwards a stream's
 * tracepoints as JFR events, one event type per tracepoint generated from its format, so that kernel events
 * are in the same recording as the JVM's own (GC, safepoints, threads) and are read by {@code jfr print}, JDK
 * Mission Control, {@code RecordingStream} and {@code RemoteRecordingStream}.
 */
package dev.tracepoint.core.jfr;
