/** Typed packet-drop events ({@code skb:kfree_skb}, {@code skb:consume_skb}) and the drop monitor. */
module dev.tracepoint.skb {
    requires transitive dev.tracepoint.core;

    exports dev.tracepoint.skb;
}
