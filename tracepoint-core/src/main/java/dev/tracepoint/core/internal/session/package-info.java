/**
 * Not API. The kernel side of a stream: {@link dev.tracepoint.core.internal.session.PerfSession} opens one perf
 * event per tracepoint and CPU, maps one ring per CPU, sets the filters and owns every fd and mapping until it
 * is closed (also when opening fails half way); {@link dev.tracepoint.core.internal.session.SetupFailures} turns
 * a failing call into the public exception that names the call, errno, CPU, tracepoint and the fix.
 *
 * <p>Owns: which perf events exist and their lifetime. Does not own: reading rings ({@code internal.ring}),
 * turning records into listener calls ({@code internal.dispatch}), or the stream's lifecycle and threads
 * ({@code TracepointStream}).
 */
package dev.tracepoint.core.internal.session;
