/** A user's program as a named module, on the module path. */
module example.consumer.modulepath {
    requires dev.tracepoint.signal;
    requires dev.tracepoint.skb;
}
