package dev.tracepoint.core.internal.cli;

import dev.tracepoint.core.internal.text.Suggestions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small command-line parser: {@code --flag}, {@code --option value}, {@code --option=value} (repeatable),
 * and positional arguments; {@code --} ends the options.
 */
public final class Args {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    /** Where the arguments after {@code --} start in {@link #positional}, or -1 without {@code --}. */
    private int dashes = -1;

    /**
     * @param args        the arguments
     * @param flags       options without a value
     * @param withValue   options that take a value
     * @throws UsageException on an unknown option or a missing value
     */
    public Args(List<String> args, Set<String> flags, Set<String> withValue) throws UsageException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                dashes = positional.size();
                positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    if (value != null) {
                        throw new UsageException("option --" + name + " takes no value");
                    }
                    options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
                } else if (withValue.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException("option --" + name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else {
                    List<String> known = new ArrayList<>();
                    for (Set<String> names : List.of(flags, withValue)) {
                        for (String n : names) {
                            known.add("--" + n);
                        }
                    }
                    known.sort(null);
                    throw new UsageException("unknown option --" + name + Suggestions.didYouMean("--" + name, known));
                }
            } else {
                positional.add(a);
            }
        }
    }

    /** @return whether the flag or option was given */
    public boolean has(String name) {
        return options.containsKey(name);
    }

    /** @return the last value of the option, or {@code def} */
    public String get(String name, String def) {
        List<String> v = options.get(name);
        return v == null ? def : v.get(v.size() - 1);
    }

    /** @return every value of a repeatable option */
    public List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    /** @return every value of a repeatable option, each split at commas ({@code --signal KILL,TERM --signal HUP}) */
    public List<String> list(String name) {
        List<String> out = new ArrayList<>();
        for (String v : all(name)) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** @return the option as a long, or {@code def}; a bad number is a usage error naming the option */
    public long getLong(String name, long def) throws UsageException {
        String v = get(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a whole number, got '" + v + "'");
        }
    }

    /** @return the option as seconds (decimals allowed), or {@code def} */
    public double getSeconds(String name, double def) throws UsageException {
        String v = get(name, null);
        if (v == null) {
            return def;
        }
        try {
            double d = Double.parseDouble(v.trim().replaceFirst("s$", ""));
            if (!(d > 0)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a positive number of seconds, got '" + v + "'");
        }
    }

    /** @return the positional arguments */
    public List<String> positional() {
        return positional;
    }

    /** {@return whether {@code --} was given} */
    public boolean hasDashes() {
        return dashes >= 0;
    }

    /** {@return the positional arguments before {@code --} (all of them without it)} */
    public List<String> beforeDashes() {
        return dashes < 0 ? positional : positional.subList(0, dashes);
    }

    /** {@return the arguments after {@code --} (a command and its arguments), empty without it} */
    public List<String> afterDashes() {
        return dashes < 0 ? List.of() : positional.subList(dashes, positional.size());
    }
}
