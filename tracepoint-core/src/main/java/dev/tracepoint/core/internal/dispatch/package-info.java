/**
 * Not API. From ring records to listener calls: sample parsing, per-tracepoint listener tables, lost and task
 * records, and the warm-up that compiles this path before the events are enabled.
 */
package dev.tracepoint.core.internal.dispatch;
