package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.decode.DecodeException;
import dev.tracepoint.core.decode.EventView;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FieldKind;

/** Renders any event as one JSON object: metadata, every non-common field, and the symbolic names. */
public final class EventJson {

    private EventJson() {
    }

    /**
     * Appends {@code {"event":…,"cpu":…,"pid":…,"tid":…,"comm":…,"time_ns":…,"fields":{…},"symbols":{…}}}.
     *
     * @param sb   the output
     * @param view the event
     * @param comm the name of the task that was running, or {@code null} to leave {@code comm} out
     * @return {@code sb}
     */
    public static StringBuilder append(StringBuilder sb, EventView view, String comm) {
        sb.append('{');
        Json.key(sb, "event", true);
        Json.string(sb, view.tracepoint());
        Json.key(sb, "cpu", false).append(view.cpu());
        Json.key(sb, "pid", false).append(view.pid());
        Json.key(sb, "tid", false).append(view.tid());
        if (comm != null) {
            Json.key(sb, "comm", false);
            Json.string(sb, comm);
        }
        Json.key(sb, "time_ns", false).append(view.timeNanos());
        Json.key(sb, "fields", false).append('{');
        boolean first = true;
        StringBuilder symbols = null;
        for (Field f : view.format().payloadFields()) {
            Json.key(sb, f.name(), first);
            first = false;
            try {
                if (f.kind() == FieldKind.POINTER) {
                    Json.string(sb, "0x" + Long.toHexString(view.getLong(f)));
                } else if (f.isNumeric() && !f.signed() && f.size() == 8) {
                    sb.append(Long.toUnsignedString(view.getLong(f)));
                } else {
                    Json.value(sb, view.value(f));
                }
                if (f.table() != null && f.isNumeric()) {
                    symbols = symbols == null ? new StringBuilder() : symbols.append(',');
                    Json.string(symbols, f.name()).append(':');
                    Json.string(symbols, view.symbol(f));
                }
            } catch (DecodeException e) {
                sb.append("null");
            }
        }
        sb.append('}');
        Json.key(sb, "symbols", false).append('{');
        if (symbols != null) {
            sb.append(symbols);
        }
        return sb.append("}}");
    }
}
