/** JMH benchmarks of decoding and dispatch from a synthetic perf ring holding real sample layouts. */
package dev.tracepoint.bench;
