package dev.tracepoint.skb;

/**
 * How often packets were dropped for one reason at one location, in a {@link DropSnapshot}.
 *
 * @param reason     the reason value; -1 for consumed packets and kernels without reasons
 * @param reasonName the kernel's name for it, its number when unnamed, {@link DropEvent#CONSUMED}, or
 *                   {@code null} when the kernel records no reasons
 * @param location   the code address that freed the packets, 0 when unknown
 * @param symbol     the location as {@code %pS} prints it ({@code __udp4_lib_rcv+0x4bc/0xd00}), {@code null} when unknown
 * @param count      how many
 * @param consumed   whether these are consumed packets ({@code consume_skb}), not drops
 */
public record DropCount(int reason, String reasonName, long location, String symbol, long count, boolean consumed) {

    /** @return the name of the function of {@link #symbol()} ({@code __udp4_lib_rcv}), or the symbol itself when it is hex */
    public String function() {
        if (symbol == null) {
            return null;
        }
        int plus = symbol.indexOf('+');
        return plus > 0 ? symbol.substring(0, plus) : symbol;
    }
}
