/**
 * Not API. The kernel side of a stream and its lifecycle: {@link dev.tracepoint.core.internal.session.PerfSession}
 * opens one perf event per tracepoint and CPU, maps one ring per CPU, sets the filters and owns every fd and
 * mapping until it is closed (also when opening fails half way), each CPU's part in a {@code CpuEvents} opened
 * by an {@code EventOpener}; {@link dev.tracepoint.core.internal.session.SetupFailures} turns a failing call
 * into the public exception that names the call, errno, CPU, tracepoint and the fix. A
 * {@link dev.tracepoint.core.internal.session.Scope} says which tasks the events cover (every task, a thread, a
 * process or a cgroup); {@code ScopeTargets} checks it against {@code /proc} and {@code ProcessCoverage} opens a
 * process's threads so that each is covered once.
 * {@link dev.tracepoint.core.internal.session.StreamRuntime} is the running side of a {@code TracepointStream}:
 * its state, locks and consumer thread, the assembly of session and consumer at open, and the release;
 * {@link dev.tracepoint.core.internal.session.StreamListeners} holds the stream-wide listeners its setup
 * registers.
 *
 * <p>Owns: which perf events exist and their lifetime, and the stream's threads. Does not own: reading rings
 * ({@code internal.ring}), turning records into listener calls ({@code internal.dispatch}), or the public
 * API and its checks ({@code TracepointStream}, the facade).
 */
package dev.tracepoint.core.internal.session;
