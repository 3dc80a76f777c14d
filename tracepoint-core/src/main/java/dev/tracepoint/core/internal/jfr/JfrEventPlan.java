package dev.tracepoint.core.internal.jfr;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FieldKind;
import dev.tracepoint.core.format.ValueTable;

import jdk.jfr.AnnotationElement;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;
import jdk.jfr.Unsigned;
import jdk.jfr.ValueDescriptor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JFR event type of one tracepoint, planned from its format: the event's name, label, category and
 * description, and one {@link Slot} per JFR field, in order. The first fields are the sample's metadata
 * ({@link #KERNEL_TIME}, {@link #KERNEL_NANOS}, {@link #CPU}, {@link #CURRENT_PID}, {@link #CURRENT_TID} and,
 * when asked for, {@link #CURRENT_COMM}); then each payload field of the format (the {@code common_*} header
 * fields are the metadata already), followed, for a field with a {@code __print_symbolic} or
 * {@code __print_flags} table, by a string field {@code <field>Name}.
 *
 * <p>Types: an integer of 1, 2, 4 or 8 bytes becomes a {@code byte}, {@code short}, {@code int} or {@code long}
 * (annotated {@link Unsigned} where the format says unsigned; a 1-byte {@code bool} a {@code boolean}; odd
 * widths the next wider type); a pointer a {@code long} annotated {@link MemoryAddress} (shown in hex); a
 * string ({@code char[N]}, {@code __data_loc char[]}) a {@code String}; any other array, which JFR events
 * cannot hold, a {@code String} that lists the elements ({@code [1, 2, 3]}; bytes in hex). A field name that
 * JFR reserves, that the metadata takes or that is a Java keyword gets the prefix {@code field_}.
 */
public final class JfrEventPlan {

    /** The kernel's time of the event, in JFR ticks: a {@code @Timestamp(TICKS)} field. */
    public static final String KERNEL_TIME = "kernelTime";
    /** The kernel's time of the event, CLOCK_MONOTONIC nanoseconds, as {@code EventView.timeNanos()}. */
    public static final String KERNEL_NANOS = "kernelNanos";
    /** The CPU the event happened on. */
    public static final String CPU = "cpu";
    /** The process id of the task that was current. */
    public static final String CURRENT_PID = "currentPid";
    /** The thread id of the task that was current. */
    public static final String CURRENT_TID = "currentTid";
    /** The name of the task that was current, where known. */
    public static final String CURRENT_COMM = "currentComm";

    /** The suffix of a symbolic field's name field. */
    public static final String NAME_SUFFIX = "Name";

    private static final Set<String> RESERVED = Set.of("startTime", "duration", "eventThread", "stackTrace",
            KERNEL_TIME, KERNEL_NANOS, CPU, CURRENT_PID, CURRENT_TID, CURRENT_COMM);

    /** Java's keywords and literals: JFR field names are Java identifiers. */
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "_");

    /** What a slot holds and how it is read from a record. */
    public enum Kind {
        /** {@code EventView.timeNanos()} converted to JFR ticks. */
        META_TICKS,
        /** {@code EventView.timeNanos()}. */
        META_NANOS,
        /** {@code EventView.cpu()}. */
        META_CPU,
        /** {@code EventView.pid()}. */
        META_PID,
        /** {@code EventView.tid()}. */
        META_TID,
        /** The current task's name from the task names table. */
        META_COMM,
        /** A 1-byte integer. */
        BYTE,
        /** A 2-byte integer. */
        SHORT,
        /** A 3- or 4-byte integer. */
        INT,
        /** A 5- to 8-byte integer, or a pointer. */
        LONG,
        /** A 1-byte {@code bool}. */
        BOOLEAN,
        /** A string field. */
        STRING,
        /** Another array-like field, listed as text. */
        ARRAY_TEXT,
        /** The bytes of a field no reader applies to, in hex. */
        HEX,
        /** The name of a numeric field's value from its symbolic table (null when absent). */
        SYMBOL,
        /** The names of a numeric field's flags from its flags table. */
        FLAGS
    }

    /**
     * One JFR field.
     *
     * @param name       the JFR field name
     * @param kind       what it holds
     * @param field      the format's field it reads, or null for metadata
     * @param descriptor its JFR descriptor
     */
    public record Slot(String name, Kind kind, Field field, ValueDescriptor descriptor) {
    }

    private final String eventName;
    private final List<AnnotationElement> annotations;
    private final List<Slot> slots;

    private JfrEventPlan(String eventName, List<AnnotationElement> annotations, List<Slot> slots) {
        this.eventName = eventName;
        this.annotations = List.copyOf(annotations);
        this.slots = List.copyOf(slots);
    }

    /**
     * {@return the JFR name of a tracepoint's event type, {@code tracepoint.<system>.<event>}}
     *
     * @param format the tracepoint's format
     */
    public static String eventName(EventFormat format) {
        return "tracepoint." + identifier(format.system()) + "." + identifier(format.name());
    }

    /**
     * Plans the event type of a tracepoint.
     *
     * @param format the tracepoint's format
     * @param comm   whether the event has a {@link #CURRENT_COMM} field
     * @return the plan
     */
    public static JfrEventPlan of(EventFormat format, boolean comm) {
        String name = eventName(format);
        List<AnnotationElement> ann = new ArrayList<>();
        ann.add(new AnnotationElement(Name.class, name));
        ann.add(new AnnotationElement(Label.class, format.fullName()));
        ann.add(new AnnotationElement(Description.class, "Linux kernel tracepoint " + format.fullName()
                + ", read from its perf ring; kernelTime is when the kernel wrote it"));
        ann.add(new AnnotationElement(Category.class, new String[] {"Kernel", format.system()}));
        ann.add(new AnnotationElement(StackTrace.class, false));

        List<Slot> slots = new ArrayList<>();
        slots.add(meta(KERNEL_TIME, Kind.META_TICKS, long.class, "Kernel Time",
                "When the kernel wrote the event (its perf timestamp, on the JVM's time base)",
                new AnnotationElement(Timestamp.class, Timestamp.TICKS)));
        slots.add(meta(KERNEL_NANOS, Kind.META_NANOS, long.class, "Kernel Nanos",
                "When the kernel wrote the event, CLOCK_MONOTONIC nanoseconds"));
        slots.add(meta(CPU, Kind.META_CPU, int.class, "CPU", "The CPU the event happened on"));
        slots.add(meta(CURRENT_PID, Kind.META_PID, int.class, "Current PID",
                "The process id of the task that was running when the event happened"));
        slots.add(meta(CURRENT_TID, Kind.META_TID, int.class, "Current TID",
                "The thread id of the task that was running when the event happened"));
        if (comm) {
            slots.add(meta(CURRENT_COMM, Kind.META_COMM, String.class, "Current Comm",
                    "The name of the task that was running when the event happened, where known"));
        }
        Set<String> taken = new HashSet<>(RESERVED);
        for (Field f : format.payloadFields()) {
            String jfrName = unique(identifier(f.name()), taken);
            Kind kind = kindOf(f);
            List<AnnotationElement> fa = new ArrayList<>();
            fa.add(new AnnotationElement(Label.class, f.name()));
            fa.add(new AnnotationElement(Description.class, f.type() + " " + f.name()
                    + " (offset " + f.offset() + ", size " + f.size() + (f.signed() ? ", signed" : "") + ")"));
            if (f.kind() == FieldKind.POINTER) {
                fa.add(new AnnotationElement(MemoryAddress.class));
            } else if (!f.signed() && (kind == Kind.BYTE || kind == Kind.SHORT || kind == Kind.INT || kind == Kind.LONG)) {
                fa.add(new AnnotationElement(Unsigned.class));
            }
            slots.add(new Slot(jfrName, kind, f, new ValueDescriptor(javaType(kind), jfrName, fa)));
            ValueTable t = f.table();
            if (t != null && f.isNumeric()) {
                String symName = unique(jfrName + NAME_SUFFIX, taken);
                Kind sk = t.kind() == ValueTable.Kind.SYMBOLIC ? Kind.SYMBOL : Kind.FLAGS;
                slots.add(new Slot(symName, sk, f, new ValueDescriptor(String.class, symName, List.of(
                        new AnnotationElement(Label.class, f.name() + " name"),
                        new AnnotationElement(Description.class, "The name the kernel's print fmt gives "
                                + f.name() + " (" + (sk == Kind.SYMBOL ? "__print_symbolic" : "__print_flags") + ")")))));
            }
        }
        return new JfrEventPlan(name, ann, slots);
    }

    private static Slot meta(String name, Kind kind, Class<?> type, String label, String description,
                             AnnotationElement... extra) {
        List<AnnotationElement> a = new ArrayList<>();
        a.add(new AnnotationElement(Label.class, label));
        a.add(new AnnotationElement(Description.class, description));
        a.addAll(List.of(extra));
        return new Slot(name, kind, null, new ValueDescriptor(type, name, a));
    }

    private static Kind kindOf(Field f) {
        if (f.isString()) {
            return Kind.STRING;
        }
        if (f.kind() == FieldKind.POINTER && f.isNumeric()) {
            return Kind.LONG;
        }
        if (f.isNumeric()) {
            int size = f.size();
            if (size == 1 && f.type().equals("bool")) {
                return Kind.BOOLEAN;
            }
            return size == 1 ? Kind.BYTE : size == 2 ? Kind.SHORT : size <= 4 ? Kind.INT : Kind.LONG;
        }
        if (f.kind() != FieldKind.SCALAR && f.kind() != FieldKind.POINTER) {
            int es = f.elementSize();
            return es == 1 || es == 2 || es == 4 || es == 8 ? Kind.ARRAY_TEXT : Kind.HEX;
        }
        return Kind.HEX;
    }

    private static Class<?> javaType(Kind kind) {
        return switch (kind) {
            case BYTE -> byte.class;
            case SHORT -> short.class;
            case INT -> int.class;
            case LONG -> long.class;
            case BOOLEAN -> boolean.class;
            default -> String.class;
        };
    }

    private static String unique(String name, Set<String> taken) {
        String n = RESERVED.contains(name) || KEYWORDS.contains(name) ? "field_" + name : name;
        while (!taken.add(n)) {
            n = n + "_";
        }
        return n;
    }

    /** @return {@code s} with every character that may not be in a Java identifier replaced by {@code _} */
    static String identifier(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 1);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = i == 0 ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c);
            if (!ok && i == 0 && Character.isJavaIdentifierPart(c)) {
                sb.append('_');
                ok = true;
            }
            sb.append(ok && c < 128 ? c : '_');
        }
        return sb.isEmpty() ? "_" : sb.toString();
    }

    /** {@return the JFR event name, {@code tracepoint.<system>.<event>}} */
    public String eventName() {
        return eventName;
    }

    /** {@return the event type's annotations: name, label, description, category, no stack trace} */
    public List<AnnotationElement> annotations() {
        return annotations;
    }

    /** {@return the fields, in order} */
    public List<Slot> slots() {
        return slots;
    }

    /** {@return the fields' descriptors, in order, for {@code EventFactory.create}} */
    public List<ValueDescriptor> descriptors() {
        List<ValueDescriptor> d = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            d.add(s.descriptor());
        }
        return d;
    }

    /**
     * {@return a key that is equal for two formats that plan the same event type}, to share one
     * {@code EventFactory} between the streams of a JVM that forward the same tracepoint
     */
    public String key() {
        StringBuilder sb = new StringBuilder(eventName);
        for (Slot s : slots) {
            sb.append('|').append(s.name()).append(':').append(s.kind());
            if (s.field() != null) {
                sb.append('@').append(s.field().offset()).append('/').append(s.field().size()).append(s.field().signed() ? 's' : 'u')
                        .append('/').append(s.field().kind());
            }
        }
        return sb.toString();
    }
}
