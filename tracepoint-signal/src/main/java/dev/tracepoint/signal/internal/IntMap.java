package dev.tracepoint.signal.internal;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * An {@code int}-keyed hash map with open addressing and linear probing: lookups and updates of existing keys
 * allocate nothing (no boxing). A slot is free when its value is {@code null}; removal shifts the following
 * run back, so no tombstones accumulate. Not thread-safe.
 *
 * @param <V> the value type
 */
public final class IntMap<V> {

    private int[] keys;
    private Object[] values;
    private int mask;
    private int size;

    /** @param expected the number of entries to size the table for */
    public IntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new int[cap];
        values = new Object[cap];
        mask = cap - 1;
    }

    private static int hash(int key) {
        int h = key * 0x9E3779B9; // Fibonacci hashing spreads sequential pids
        return h ^ (h >>> 16);
    }

    /**
     * @param key the key
     * @return its value, or {@code null}
     */
    @SuppressWarnings("unchecked")
    public V get(int key) {
        int i = hash(key) & mask;
        Object v;
        while ((v = values[i]) != null) {
            if (keys[i] == key) {
                return (V) v;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /**
     * @param key   the key
     * @param value the value, not {@code null}
     * @return the previous value, or {@code null}
     */
    @SuppressWarnings("unchecked")
    public V put(int key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value for key=" + key);
        }
        int i = hash(key) & mask;
        Object v;
        while ((v = values[i]) != null) {
            if (keys[i] == key) {
                values[i] = value;
                return (V) v;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        if (++size > (mask + 1) * 3 / 4) {
            grow();
        }
        return null;
    }

    /**
     * @param key the key
     * @return the removed value, or {@code null}
     */
    @SuppressWarnings("unchecked")
    public V remove(int key) {
        int i = hash(key) & mask;
        Object v;
        while ((v = values[i]) != null) {
            if (keys[i] == key) {
                deleteAt(i);
                return (V) v;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /**
     * Removes every entry whose key and value the predicate accepts.
     *
     * @param filter the test, given the key and the value
     * @return the number removed
     */
    @SuppressWarnings("unchecked")
    public int removeIf(java.util.function.BiPredicate<Integer, V> filter) {
        int removed = 0;
        int cap = mask + 1;
        // collect first: backward shifting during a scan could move an unvisited entry behind the cursor
        int[] doomed = new int[Math.min(size, 1024)];
        int n = 0;
        for (int i = 0; i < cap; i++) {
            Object v = values[i];
            if (v != null && filter.test(keys[i], (V) v)) {
                if (n == doomed.length) {
                    doomed = Arrays.copyOf(doomed, n * 2);
                }
                doomed[n++] = keys[i];
            }
        }
        for (int j = 0; j < n; j++) {
            if (remove(doomed[j]) != null) {
                removed++;
            }
        }
        return removed;
    }

    /**
     * Visits every key.
     *
     * @param visitor returns false to stop
     */
    public void forEachKey(IntPredicate visitor) {
        int cap = mask + 1;
        for (int i = 0; i < cap; i++) {
            if (values[i] != null && !visitor.test(keys[i])) {
                return;
            }
        }
    }

    /** @return the number of entries */
    public int size() {
        return size;
    }

    /** Removes every entry, keeping the capacity. */
    public void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    private void deleteAt(int slot) {
        int i = slot;
        values[i] = null;
        size--;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            Object v = values[j];
            if (v == null) {
                return;
            }
            int home = hash(keys[j]) & mask;
            // move j back into the hole at i unless its home lies cyclically in (i, j]
            boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                keys[i] = keys[j];
                values[i] = v;
                values[j] = null;
                i = j;
            }
        }
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        int cap = oldKeys.length * 2;
        keys = new int[cap];
        values = new Object[cap];
        mask = cap - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                reinsert(oldKeys[i], oldValues[i]);
            }
        }
    }

    private void reinsert(int key, Object value) {
        int i = hash(key) & mask;
        while (values[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        size++;
    }
}
