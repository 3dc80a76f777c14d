package dev.tracepoint.skb;

import dev.tracepoint.core.internal.text.Suggestions;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Names of the {@code protocol} that {@code skb:kfree_skb} records: {@code ntohs(skb->protocol)}, the frame's
 * ethertype in host byte order ({@code 0x0800} is IPv4), or one of the kernel's pseudo-protocols below
 * {@code 0x0600} ({@code ETH_P_ALL}, {@code ETH_P_CAN}, ...). 0 means the skb had no protocol set (e.g. a
 * locally built skb freed before transmission).
 *
 * <p>Names follow {@code include/uapi/linux/if_ether.h}; the common ones get their usual spelling
 * ({@code IPv4}, {@code IPv6}, {@code ARP}, {@code 802.1Q}, {@code MPLS}), the rest the {@code ETH_P_}
 * suffix. Lookups are allocation-free binary searches. Stateless and thread-safe.
 */
public final class EtherTypes {

    /** {@code ETH_P_IP}. */
    public static final int IPV4 = 0x0800;
    /** {@code ETH_P_ARP}. */
    public static final int ARP = 0x0806;
    /** {@code ETH_P_IPV6}. */
    public static final int IPV6 = 0x86DD;
    /** {@code ETH_P_8021Q}: a VLAN-tagged frame. */
    public static final int VLAN = 0x8100;
    /** {@code ETH_P_8021AD}: a QinQ service tag. */
    public static final int QINQ = 0x88A8;
    /** {@code ETH_P_MPLS_UC}. */
    public static final int MPLS = 0x8847;

    private static final int[] VALUES;
    private static final String[] NAMES;

    static {
        Object[][] table = {
                {0x0001, "802_3"}, {0x0002, "AX25"}, {0x0003, "ALL"}, {0x0004, "802_2"}, {0x0005, "SNAP"},
                {0x0006, "DDCMP"}, {0x0007, "WAN_PPP"}, {0x0008, "PPP_MP"}, {0x0009, "LOCALTALK"},
                {0x000C, "CAN"}, {0x000D, "CANFD"}, {0x000E, "CANXL"}, {0x0010, "PPPTALK"},
                {0x0011, "TR_802_2"}, {0x0015, "MOBITEX"}, {0x0016, "CONTROL"}, {0x0017, "IRDA"},
                {0x0018, "ECONET"}, {0x0019, "HDLC"}, {0x001A, "ARCNET"}, {0x001B, "DSA"},
                {0x001C, "TRAILER"}, {0x0060, "LOOP"}, {0x00F5, "PHONET"}, {0x00F6, "IEEE802154"},
                {0x00F7, "CAIF"}, {0x00F8, "XDSA"}, {0x00F9, "MAP"}, {0x00FA, "MCTP"},
                {0x0200, "PUP"}, {0x0201, "PUPAT"}, {0x0800, "IPv4"}, {0x0805, "X25"}, {0x0806, "ARP"},
                {0x08FF, "BPQ"}, {0x0A00, "IEEEPUP"}, {0x0A01, "IEEEPUPAT"}, {0x22EB, "ERSPAN2"},
                {0x22F0, "TSN"}, {0x4305, "BATMAN"}, {0x6000, "DEC"}, {0x6001, "DNA_DL"},
                {0x6002, "DNA_RC"}, {0x6003, "DNA_RT"}, {0x6004, "LAT"}, {0x6005, "DIAG"},
                {0x6006, "CUST"}, {0x6007, "SCA"}, {0x6558, "TEB"}, {0x8035, "RARP"}, {0x809B, "ATALK"},
                {0x80F3, "AARP"}, {0x8100, "802.1Q"}, {0x8137, "IPX"}, {0x86DD, "IPv6"},
                {0x8808, "PAUSE"}, {0x8809, "SLOW"}, {0x883E, "WCCP"}, {0x8847, "MPLS"},
                {0x8848, "MPLS_MC"}, {0x884C, "ATMMPOA"}, {0x8863, "PPPoE_DISC"}, {0x8864, "PPPoE"},
                {0x886C, "LINK_CTL"}, {0x8884, "ATMFATE"}, {0x888E, "802.1X"}, {0x8892, "PROFINET"},
                {0x8899, "REALTEK"}, {0x88A2, "AOE"}, {0x88A4, "ETHERCAT"}, {0x88A8, "802.1ad"},
                {0x88B5, "802_EX1"}, {0x88BE, "ERSPAN"}, {0x88C7, "PREAUTH"}, {0x88CA, "TIPC"},
                {0x88CC, "LLDP"}, {0x88E3, "MRP"}, {0x88E5, "MACsec"}, {0x88E7, "802.1ah"},
                {0x88F5, "MVRP"}, {0x88F7, "PTP"}, {0x88F8, "NCSI"}, {0x88FB, "PRP"}, {0x8902, "CFM"},
                {0x8906, "FCoE"}, {0x890D, "TDLS"}, {0x8914, "FIP"}, {0x8915, "IBOE"}, {0x8917, "80221"},
                {0x892F, "HSR"}, {0x894F, "NSH"}, {0x9000, "LOOPBACK"}, {0x9100, "QINQ1"},
                {0x9200, "QINQ2"}, {0x9300, "QINQ3"}, {0xDADA, "EDSA"}, {0xDADB, "DSA_8021Q"},
                {0xE001, "DSA_A5PSW"}, {0xED3E, "IFE"}, {0xFBFB, "AF_IUCV"},
        };
        Arrays.sort(table, (a, b) -> Integer.compare((Integer) a[0], (Integer) b[0]));
        VALUES = new int[table.length];
        NAMES = new String[table.length];
        for (int i = 0; i < table.length; i++) {
            VALUES[i] = (Integer) table[i][0];
            NAMES[i] = (String) table[i][1];
        }
    }

    private EtherTypes() {
    }

    /**
     * Names an ethertype from this class's table of common protocols.
     *
     * @param protocol an ethertype in host byte order, as {@code kfree_skb} records it
     * @return its name ({@code "IPv4"}), or {@code null} when unknown; allocation-free
     */
    public static String name(int protocol) {
        int i = Arrays.binarySearch(VALUES, protocol);
        return i < 0 ? null : NAMES[i];
    }

    /**
     * Renders an ethertype for display: its name when this class knows it, else its hex value.
     *
     * @param protocol an ethertype
     * @return its name, or {@code 0x} and four hex digits when it has none ({@code "0x88b6"}); allocates
     *         only for an unnamed value
     */
    public static String format(int protocol) {
        String n = name(protocol);
        return n != null ? n : append(new StringBuilder(6), protocol).toString();
    }

    /**
     * Appends the name, or the hex value when it has none, without allocating.
     *
     * @param sb       the output
     * @param protocol an ethertype
     * @return {@code sb}
     */
    public static StringBuilder append(StringBuilder sb, int protocol) {
        String n = name(protocol);
        if (n != null) {
            return sb.append(n);
        }
        sb.append("0x");
        for (int shift = Math.max(12, (31 - Integer.numberOfLeadingZeros(protocol)) & ~3); shift >= 0; shift -= 4) {
            sb.append(Character.forDigit((protocol >>> shift) & 0xf, 16));
        }
        return sb;
    }

    /**
     * Parses a protocol given by a user: a name of this table in any case ({@code ipv4}, {@code IPv6},
     * {@code arp}, {@code 802.1q}; also {@code ip}, {@code vlan} and the {@code ETH_P_} names), or a number
     * ({@code 0x800}, {@code 2048}).
     *
     * @param text the protocol
     * @return the ethertype
     * @throws IllegalArgumentException naming the known names when {@code text} is none of them
     */
    public static int parse(String text) {
        String t = text.trim();
        String u = t.toUpperCase(Locale.ROOT);
        if (u.startsWith("ETH_P_")) {
            u = u.substring(6);
        }
        switch (u) {
            case "IP" -> {
                return IPV4;
            }
            case "VLAN", "8021Q" -> {
                return VLAN;
            }
            case "8021AD" -> {
                return QINQ;
            }
            case "MPLS_UC" -> {
                return MPLS;
            }
            case "1588" -> {
                return 0x88F7;
            }
            default -> {
            }
        }
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].toUpperCase(Locale.ROOT).equals(u)) {
                return VALUES[i];
            }
        }
        try {
            int v = u.startsWith("0X") ? Integer.parseInt(u.substring(2), 16) : Integer.parseInt(u);
            if (v < 0 || v > 0xffff) {
                throw new IllegalArgumentException("protocol " + text + " is not a 16-bit ethertype");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown protocol '" + text + "'" + Suggestions.didYouMean(t, List.of(NAMES))
                    + " (give an ethertype, 0x86dd or 2048, or a name such as IPv4, IPv6, ARP, 802.1Q, 802.1ad, MPLS, LLDP, PTP)", e);
        }
    }
}
