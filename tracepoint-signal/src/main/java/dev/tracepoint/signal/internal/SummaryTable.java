package dev.tracepoint.signal.internal;

import dev.tracepoint.signal.SignalSummary;
import dev.tracepoint.signal.TaskTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Counts per (signal, sender pid, target pid), for the monitor's summaries. The key packs the three into one
 * {@code long} (8 bits of signal, 28 of each pid: Linux pids stay below {@code PID_MAX_LIMIT} = 2^22); an
 * existing key is counted without allocating, a new one stores the names seen with it. Open addressing with
 * linear probing; {@link #clear()} keeps the capacity, so a steady workload allocates nothing. Not
 * thread-safe: the monitor guards it.
 */
public final class SummaryTable {

    private static final long EMPTY = -1L; // no real key: the signal byte of a key is at most 64

    private long[] keys;
    private long[] counts;
    private long[] failed;
    private int[] senderUids;
    private String[] senderComms;
    private String[] targetComms;
    private int mask;
    private int size;
    private long total;

    /** @param expected the number of distinct keys to size the table for */
    public SummaryTable(int expected) {
        allocate(Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1);
    }

    private void allocate(int cap) {
        keys = new long[cap];
        Arrays.fill(keys, EMPTY);
        counts = new long[cap];
        failed = new long[cap];
        senderUids = new int[cap];
        senderComms = new String[cap];
        targetComms = new String[cap];
        mask = cap - 1;
        size = 0;
    }

    /**
     * @param sig       signal, 0..255
     * @param senderPid sender pid
     * @param targetPid target pid
     * @return the packed key
     */
    public static long key(int sig, int senderPid, int targetPid) {
        return ((long) (sig & 0xff) << 56) | ((long) (senderPid & 0xfff_ffff) << 28) | (targetPid & 0xfff_ffffL);
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private int find(long key) {
        int i = hash(key) & mask;
        long k;
        while ((k = keys[i]) != EMPTY) {
            if (k == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1 - i;
    }

    /**
     * Counts an event of a key already in the table.
     *
     * @param key    the packed key
     * @param failed whether the signal was not delivered
     * @return false when the key is new: call {@link #add} with its names
     */
    public boolean increment(long key, boolean failed) {
        int i = find(key);
        if (i < 0) {
            return false;
        }
        counts[i]++;
        if (failed) {
            this.failed[i]++;
        }
        total++;
        return true;
    }

    /**
     * Counts events of a key, adding it with its names when new.
     *
     * @param key        the packed key
     * @param senderComm the sender's name, or {@code null}
     * @param senderUid  the sender's uid
     * @param targetComm the target's name
     * @param n          how many events
     * @param nFailed    how many of them failed
     */
    public void add(long key, String senderComm, int senderUid, String targetComm, long n, long nFailed) {
        int i = find(key);
        if (i < 0) {
            i = -1 - i;
            keys[i] = key;
            senderComms[i] = senderComm;
            senderUids[i] = senderUid;
            targetComms[i] = targetComm;
            if (++size > (mask + 1) * 3 / 4) {
                counts[i] += n;
                failed[i] += nFailed;
                total += n;
                grow();
                return;
            }
        } else if (senderComms[i] == null && senderComm != null) {
            senderComms[i] = senderComm;
            senderUids[i] = senderUid;
        }
        counts[i] += n;
        failed[i] += nFailed;
        total += n;
    }

    /** @return the events counted */
    public long total() {
        return total;
    }

    /** @return the number of distinct keys */
    public int size() {
        return size;
    }

    /** Forgets every count, keeping the capacity. */
    public void clear() {
        Arrays.fill(keys, EMPTY);
        Arrays.fill(senderComms, null);
        Arrays.fill(targetComms, null);
        Arrays.fill(counts, 0);
        Arrays.fill(failed, 0);
        size = 0;
        total = 0;
    }

    /**
     * Adds every count of this table to another.
     *
     * @param into the table to add to
     */
    public void addTo(SummaryTable into) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                into.add(keys[i], senderComms[i], senderUids[i], targetComms[i], counts[i], failed[i]);
            }
        }
    }

    /**
     * @param limit the most rows (0: all)
     * @param names names senders that were unknown when first counted (their task record came later), or {@code null}
     * @return the rows, largest count first
     */
    public List<SignalSummary.Row> rows(int limit, IntFunction<TaskTable.Task> names) {
        List<SignalSummary.Row> rows = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            long k = keys[i];
            if (k == EMPTY) {
                continue;
            }
            int sig = (int) (k >>> 56);
            int sender = (int) ((k >>> 28) & 0xfff_ffff);
            int target = (int) (k & 0xfff_ffff);
            String comm = senderComms[i];
            int uid = senderUids[i];
            if (comm == null && names != null) {
                TaskTable.Task t = names.apply(sender);
                if (t != null) {
                    comm = t.comm();
                    uid = t.uid();
                }
            }
            rows.add(new SignalSummary.Row(sig, sender, comm, uid, target, targetComms[i], counts[i], failed[i]));
        }
        rows.sort(Comparator.comparingLong(SignalSummary.Row::count).reversed()
                .thenComparingInt(SignalSummary.Row::sig)
                .thenComparingInt(SignalSummary.Row::senderPid)
                .thenComparingInt(SignalSummary.Row::targetPid));
        return limit > 0 && rows.size() > limit ? rows.subList(0, limit) : rows;
    }

    private void grow() {
        long[] k = keys;
        long[] c = counts;
        long[] f = failed;
        int[] u = senderUids;
        String[] s = senderComms;
        String[] t = targetComms;
        allocate(k.length * 2);
        long tot = total;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != EMPTY) {
                int j = -1 - find(k[i]);
                keys[j] = k[i];
                counts[j] = c[i];
                failed[j] = f[i];
                senderUids[j] = u[i];
                senderComms[j] = s[i];
                targetComms[j] = t[i];
                size++;
            }
        }
        total = tot;
    }
}
