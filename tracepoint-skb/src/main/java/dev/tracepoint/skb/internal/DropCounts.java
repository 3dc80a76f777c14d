package dev.tracepoint.skb.internal;

import java.util.Arrays;

/**
 * Drop counts keyed by (reason, location): an open-addressing hash map over primitive arrays, so counting a
 * drop allocates nothing (only growing the table does). Not thread-safe: callers lock.
 *
 * <p>The number of distinct keys is bounded ({@link #MAX_KEYS}); drops with a new key beyond it are
 * counted in {@link #overflow()} so that a flood of distinct locations cannot exhaust memory.
 */
public final class DropCounts {

    /** The most distinct (reason, location) pairs kept. */
    public static final int MAX_KEYS = 1 << 16;

    private long[] locations;
    private int[] reasons;
    private long[] counts; // 0 = empty slot
    private int size;
    private long overflow;

    /** Creates an empty map. */
    public DropCounts() {
        allocate(64);
    }

    private void allocate(int capacity) {
        locations = new long[capacity];
        reasons = new int[capacity];
        counts = new long[capacity];
        size = 0;
    }

    private static int hash(long location, int reason) {
        long h = location * 0x9E3779B97F4A7C15L + reason * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }

    /**
     * Adds {@code n} drops of a key.
     *
     * @param reason   the reason key
     * @param location the location key
     * @param n        how many
     */
    public void add(int reason, long location, long n) {
        int mask = counts.length - 1;
        int i = hash(location, reason) & mask;
        while (counts[i] != 0) {
            if (locations[i] == location && reasons[i] == reason) {
                counts[i] += n;
                return;
            }
            i = (i + 1) & mask;
        }
        if (size >= MAX_KEYS) {
            overflow += n;
            return;
        }
        locations[i] = location;
        reasons[i] = reason;
        counts[i] = n;
        size++;
        if (size * 2 > counts.length) {
            grow();
        }
    }

    private void grow() {
        long[] l = locations;
        int[] r = reasons;
        long[] c = counts;
        allocate(c.length * 2);
        for (int i = 0; i < c.length; i++) {
            if (c[i] != 0) {
                add(r[i], l[i], c[i]);
            }
        }
    }

    /** Adds every count of {@code other} to this map. */
    public void addAll(DropCounts other) {
        for (int i = 0; i < other.counts.length; i++) {
            if (other.counts[i] != 0) {
                add(other.reasons[i], other.locations[i], other.counts[i]);
            }
        }
        overflow += other.overflow;
    }

    /** Empties the map (keeping its capacity). */
    public void clear() {
        Arrays.fill(counts, 0);
        size = 0;
        overflow = 0;
    }

    /** @return the number of distinct keys */
    public int size() {
        return size;
    }

    /** @return drops not counted under their own key because {@link #MAX_KEYS} was reached */
    public long overflow() {
        return overflow;
    }

    /** Visits every key. */
    public interface Visitor {
        /**
         * @param reason   the reason key
         * @param location the location key
         * @param count    its count
         */
        void visit(int reason, long location, long count);
    }

    /** @param visitor called once per key, in no particular order */
    public void forEach(Visitor visitor) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                visitor.visit(reasons[i], locations[i], counts[i]);
            }
        }
    }
}
