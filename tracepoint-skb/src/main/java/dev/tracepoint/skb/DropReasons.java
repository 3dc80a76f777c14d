package dev.tracepoint.skb;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.ValueTable;
import dev.tracepoint.core.internal.text.Suggestions;


import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The drop reasons of one kernel, read from the {@code __print_symbolic} table in the print fmt of its
 * {@code skb:kfree_skb} format: {@code enum skb_drop_reason} is renumbered between releases (5.17 has
 * {@code NO_SOCKET = 1}, 6.18 has 3), so names never come from a list compiled into this library.
 *
 * <p>Values the table lacks are normal: subsystems encode their own reasons as
 * {@code SKB_DROP_REASON_SUBSYS_* << 16 | n} (openvswitch, mac80211), and such values are never in the table.
 * They are shown as their decimal number, never dropped or renamed.
 *
 * <p>Immutable and thread-safe; {@link #name(long)} and {@link #append(StringBuilder, long)} allocate nothing.
 */
public final class DropReasons {

    /** The field that holds the reason in {@code skb:kfree_skb} (Linux 5.17 and later). */
    public static final String FIELD = "reason";

    /** {@code SKB_DROP_REASON_SUBSYS_SHIFT}: the bits above it name the subsystem of a subsystem-encoded reason. */
    public static final int SUBSYS_SHIFT = 16;

    private static final String PREFIX = "SKB_DROP_REASON_";

    private final Field field;
    private final ValueTable table;

    private DropReasons(Field field, ValueTable table) {
        this.field = field;
        this.table = table;
    }

    /**
     * The reasons of the kernel a {@code skb:kfree_skb} format came from.
     *
     * @param kfreeSkb the format of {@code skb:kfree_skb}
     * @return its reasons; {@link #recorded()} is false for kernels before 5.17
     */
    public static DropReasons of(EventFormat kfreeSkb) {
        Field f = kfreeSkb.field(FIELD);
        return new DropReasons(f, f == null ? null : f.table());
    }

    /**
     * Tells whether drops of this kernel carry a reason at all (Linux 5.17+).
     *
     * @return whether the kernel records a reason with each drop (the format has a {@code reason} field)
     */
    public boolean recorded() {
        return field != null;
    }

    /**
     * Tells whether reason values can be turned into names; when not, they are shown and selected as numbers.
     *
     * @return whether the format names the reasons (it has the {@code __print_symbolic} table)
     */
    public boolean named() {
        return table != null;
    }

    /**
     * The field of the {@code kfree_skb} format that holds the reason, to read it from a view.
     *
     * @return the {@code reason} field, or {@code null} before Linux 5.17
     */
    public Field field() {
        return field;
    }

    /**
     * Names a reason value from this kernel's table, without the {@code SKB_DROP_REASON_} prefix.
     *
     * @param reason a reason value
     * @return the kernel's name for it ({@code "NO_SOCKET"}), or {@code null} when its table has none;
     *         allocation-free
     */
    public String name(long reason) {
        return table == null ? null : table.nameOf(reason);
    }

    /**
     * Renders a reason value for display, as the kernel's print fmt would.
     *
     * @param reason a reason value
     * @return its name, or its decimal number when the table has no name for it (allocates then)
     */
    public String format(long reason) {
        String n = name(reason);
        return n != null ? n : Long.toString(reason);
    }

    /**
     * Appends the name, or the decimal number when the table has none, without allocating.
     *
     * @param sb     the output
     * @param reason a reason value
     * @return {@code sb}
     */
    public StringBuilder append(StringBuilder sb, long reason) {
        String n = name(reason);
        return n != null ? sb.append(n) : sb.append(reason);
    }

    /**
     * Resolves a reason given by a user against this kernel's table: a name in any case, with or without the
     * {@code SKB_DROP_REASON_} prefix ({@code no_socket}, {@code SKB_DROP_REASON_NO_SOCKET}), or a number
     * ({@code 3}, {@code 0x10001}: subsystem reasons have no names).
     *
     * @param text the reason
     * @return its value
     * @throws IllegalArgumentException when this kernel records no reasons, or has no reason of that name
     *                                  (the message names the closest ones it has)
     */
    public long valueOf(String text) {
        Objects.requireNonNull(text, "text");
        if (!recorded()) {
            throw new IllegalArgumentException("this kernel's skb:kfree_skb has no reason field (drop reasons came "
                    + "with Linux 5.17): cannot select drops by reason '" + text + "'");
        }
        String t = text.trim();
        try {
            long v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            if (v < 0 || v > 0xffff_ffffL) {
                throw new IllegalArgumentException("drop reason " + text + " is not a 32-bit value");
            }
            return v;
        } catch (NumberFormatException notANumber) {
            // a name
        }
        String u = t.toUpperCase(Locale.ROOT);
        if (u.startsWith(PREFIX)) {
            u = u.substring(PREFIX.length());
        }
        if (table != null) {
            for (int i = 0; i < table.size(); i++) {
                if (table.name(i).toUpperCase(Locale.ROOT).equals(u)) {
                    return table.value(i);
                }
            }
        }
        if (table == null) {
            throw new IllegalArgumentException("unknown drop reason '" + text + "': this kernel's reasons are not named "
                    + "in its format (give numbers)");
        }
        throw new IllegalArgumentException("unknown drop reason " + text + Suggestions.didYouMean(u, names())
                + " (this kernel names " + table.size() + " reasons: see DropReasons.names(), or tracepoint drops --list-reasons)");
    }

    /**
     * Every reason name this kernel has, to list or to complete user input with.
     *
     * @return the names in the kernel's order (empty when not named); unmodifiable
     */
    public List<String> names() {
        if (table == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(table.size());
        for (int i = 0; i < table.size(); i++) {
            out.add(table.name(i));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * This kernel's whole table of reasons.
     *
     * @return value to name, in the kernel's order (empty when not named); unmodifiable
     */
    public Map<Long, String> asMap() {
        return table == null ? Map.of() : table.asMap();
    }

    /**
     * Tells which subsystem encoded a reason (see the class comment); such reasons have no name in the table.
     *
     * @param reason a reason value
     * @return the subsystem of a subsystem-encoded reason ({@code reason >>> 16}); 0 for the core reasons
     */
    public static int subsystem(long reason) {
        return (int) ((reason & 0xffff_ffffL) >>> SUBSYS_SHIFT);
    }

    @Override
    public String toString() {
        return "DropReasons[" + (field == null ? "not recorded" : table == null ? "unnamed" : table.size() + " names") + "]";
    }
}
