package dev.tracepoint.skb.internal;

import dev.tracepoint.core.Filter;
import dev.tracepoint.skb.DropReasons;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the ftrace filter expression ({@code PERF_EVENT_IOC_SET_FILTER}) that keeps unselected drops in the
 * kernel: {@code (reason == 3 || reason == 6) && protocol == 2048}. Reason names are resolved against the
 * running kernel's own table ({@link DropReasons}); built with the core's {@link Filter}.
 */
public final class KernelFilter {

    private KernelFilter() {
    }

    /**
     * The filter for {@code skb:kfree_skb}.
     *
     * @param reasons     the running kernel's drop reasons
     * @param reasonNames the reasons to keep (empty: all): names in any case, with or without
     *                    {@code SKB_DROP_REASON_}, or numbers
     * @param protocols   the ethertypes to keep (empty: all)
     * @return the expression, or {@code null} for none
     * @throws IllegalArgumentException when a reason is unknown to this kernel, or it records no reasons
     */
    public static String kfreeSkb(DropReasons reasons, List<String> reasonNames, int[] protocols) {
        List<Filter> parts = new ArrayList<>();
        if (!reasonNames.isEmpty()) {
            Filter.FieldRef reason = Filter.field(DropReasons.FIELD);
            parts.add(Filter.anyOf(reasonNames.stream().mapToLong(reasons::valueOf).distinct()
                    .mapToObj(reason::eq).toArray(Filter[]::new)));
        }
        if (protocols.length > 0) {
            Filter.FieldRef protocol = Filter.field("protocol");
            parts.add(Filter.anyOf(Arrays.stream(protocols).distinct().mapToObj(protocol::eq).toArray(Filter[]::new)));
        }
        return parts.isEmpty() ? null : Filter.allOf(parts.toArray(Filter[]::new)).toString();
    }
}
