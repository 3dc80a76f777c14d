/**
 * Reading events: the zero-copy flyweight {@link dev.tracepoint.core.decode.EventView} that listeners receive,
 * the immutable {@link dev.tracepoint.core.decode.Event} copy, and typed events:
 * {@link dev.tracepoint.core.decode.EventBinding} compiles an interface whose accessors name a tracepoint's
 * fields into a class that reads the running kernel's layout.
 */
package dev.tracepoint.core.decode;
