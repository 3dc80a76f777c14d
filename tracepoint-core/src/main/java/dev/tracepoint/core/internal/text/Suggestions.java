package dev.tracepoint.core.internal.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The names closest to one that was not found, for "did you mean" in error messages: case-insensitive, by
 * edit distance (insertions, deletions, substitutions and transpositions of two neighbours each count one),
 * with names that contain the wanted text as a fallback. Only names close enough to be plausible are
 * suggested: within one edit per three characters, at least 1 and at most 3.
 */
public final class Suggestions {

    /** The most names a message suggests. */
    public static final int MAX = 3;

    private Suggestions() {
    }

    /**
     * @param wanted the name that was not found
     * @param names  the names there are
     * @param max    the most suggestions
     * @return the plausible names, closest first (ties in the order of {@code names}), at most {@code max}
     */
    public static List<String> closest(String wanted, Iterable<String> names, int max) {
        String w = wanted.toLowerCase(Locale.ROOT);
        int limit = Math.max(1, Math.min(3, w.length() / 3));
        record Scored(String name, int distance, int order) {
        }
        List<Scored> near = new ArrayList<>();
        List<Scored> containing = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        int order = 0;
        for (String n : names) {
            if (n == null || !seen.add(n)) {
                continue;
            }
            String l = n.toLowerCase(Locale.ROOT);
            int d = distance(w, l);
            if (d <= limit && d < Math.max(l.length(), 1)) {
                near.add(new Scored(n, d, order++));
            } else if (w.length() >= 3 && l.contains(w)) {
                containing.add(new Scored(n, l.length() - w.length(), order++));
            }
        }
        Comparator<Scored> byDistance = Comparator.comparingInt(Scored::distance).thenComparingInt(Scored::order);
        near.sort(byDistance);
        containing.sort(byDistance);
        List<String> out = new ArrayList<>();
        for (List<Scored> list : List.of(near, containing)) {
            for (Scored s : list) {
                if (out.size() < max) {
                    out.add(s.name());
                }
            }
        }
        return out;
    }

    /**
     * @param wanted the name that was not found
     * @param names  the names there are
     * @return {@code "; did you mean X?"}, {@code "; did you mean X or Y?"}, {@code "; did you mean X, Y or Z?"},
     *         or {@code ""} when no name is close
     */
    public static String didYouMean(String wanted, Iterable<String> names) {
        List<String> c = closest(wanted, names, MAX);
        if (c.isEmpty()) {
            return "";
        }
        String last = c.get(c.size() - 1);
        String head = String.join(", ", c.subList(0, c.size() - 1));
        return "; did you mean " + (head.isEmpty() ? last : head + " or " + last) + "?";
    }

    /**
     * The optimal-string-alignment distance: Levenshtein plus the transposition of two neighbours as one edit.
     *
     * @param a one string
     * @param b another
     * @return the edits that turn {@code a} into {@code b}
     */
    public static int distance(String a, String b) {
        int[] before = new int[b.length() + 1];
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int d = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d = Math.min(d, before[j - 2] + 1);
                }
                cur[j] = d;
            }
            int[] t = before;
            before = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
