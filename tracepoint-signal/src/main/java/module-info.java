/** Typed signal events ({@code signal:signal_generate}, {@code signal:signal_deliver}) and the signal monitor. */
module dev.tracepoint.signal {
    requires transitive dev.tracepoint.core;

    exports dev.tracepoint.signal;
}
