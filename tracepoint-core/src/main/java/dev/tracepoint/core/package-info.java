/**
 * Kernel tracepoints as a stream of Java events: {@link dev.tracepoint.core.Tracefs} finds the tracing file
 * system and reads tracepoint layouts, {@link dev.tracepoint.core.TracepointStream} opens
 * {@code perf_event_open} rings on every CPU and dispatches decoded events to listeners, and
 * {@link dev.tracepoint.core.TracepointException} and its subtypes say precisely what failed.
 * {@link dev.tracepoint.core.Filter} builds kernel-side filters safely; {@link dev.tracepoint.core.KernelSymbols}
 * names kernel code addresses like {@code %pS}.
 */
package dev.tracepoint.core;
