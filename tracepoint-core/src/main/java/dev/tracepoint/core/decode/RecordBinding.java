package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** Builds records from views: the copy side of typed events ({@link EventView#as(Class)}). */
final class RecordBinding<R extends Record> {

    /** Per record type, per layout; a ClassValue, so a binding does not keep the record's class loader alive. */
    private static final ClassValue<Map<String, RecordBinding<?>>> CACHE = new ClassValue<>() {
        @Override
        protected Map<String, RecordBinding<?>> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private enum Source {
        FIELD, SYMBOL, ABSENT, CPU("CPU"), PID("pid"), TID("tid"), TIME("time");

        final String description;

        Source() {
            this(null);
        }

        Source(String description) {
            this.description = description;
        }
    }

    private final MethodHandle constructor;
    private final Field[] fields;
    private final Source[] sources;
    private final Class<?>[] types;

    private RecordBinding(MethodHandle constructor, Field[] fields, Source[] sources, Class<?>[] types) {
        this.constructor = constructor;
        this.fields = fields;
        this.sources = sources;
        this.types = types;
    }

    /**
     * @param lookup the caller's lookup to find the canonical constructor with, or null to find it from this
     *               library (a public record of a package exported or open to it)
     */
    @SuppressWarnings("unchecked")
    static <R extends Record> RecordBinding<R> of(Class<R> type, EventFormat format, MethodHandles.Lookup lookup) {
        Objects.requireNonNull(type, "type");
        if (!type.isRecord()) {
            throw new IllegalArgumentException(type.getName() + " is not a record; for interfaces use EventBinding");
        }
        return (RecordBinding<R>) CACHE.get(type).computeIfAbsent(EventBinding.cacheKey(format), k -> compile(type, format, lookup));
    }

    private static <R extends Record> RecordBinding<R> compile(Class<R> type, EventFormat format, MethodHandles.Lookup given) {
        RecordComponent[] rc = type.getRecordComponents();
        Field[] fields = new Field[rc.length];
        Source[] sources = new Source[rc.length];
        Class<?>[] types = new Class<?>[rc.length];
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < rc.length; i++) {
            String name = rc[i].getName();
            TracepointField ann = rc[i].getAnnotation(TracepointField.class);
            types[i] = rc[i].getType();
            Field f = EventBinding.resolve(format, name, ann);
            Source meta = switch (name) {
                case "cpu" -> Source.CPU;
                case "samplePid" -> Source.PID;
                case "sampleTid" -> Source.TID;
                case "timeNanos" -> Source.TIME;
                default -> null;
            };
            if (f != null && meta != null && ann == null) {
                problems.add("component " + name + " names both the sample's " + meta.description + " and field '" + f.name()
                        + "': annotate it @TracepointField(\"" + f.name() + "\") to read the field, or rename it");
                continue;
            }
            if (f != null) {
                fields[i] = f;
                sources[i] = types[i] == String.class && !f.isString() && f.table() != null ? Source.SYMBOL : Source.FIELD;
                continue;
            }
            if (types[i] == String.class && name.endsWith("Name")) {
                Field other = EventBinding.resolve(format, name.substring(0, name.length() - 4), null);
                if (other != null && other.table() != null) {
                    fields[i] = other;
                    sources[i] = Source.SYMBOL;
                    continue;
                }
            }
            if (meta != null) {
                sources[i] = meta;
            } else if (ann != null && ann.optional()) {
                sources[i] = Source.ABSENT;
            } else {
                problems.add("required field '" + (ann != null && !ann.value().isEmpty() ? ann.value() : EventBinding.snake(name))
                        + "' (component " + name + ") is missing");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot bind record " + type.getName() + " to " + format.fullName() + ": "
                    + String.join("; ", problems));
        }
        try {
            Class<?>[] ctorTypes = new Class<?>[rc.length];
            for (int i = 0; i < rc.length; i++) {
                ctorTypes[i] = rc[i].getType();
            }
            MethodHandle ctor = lookup(type, given).findConstructor(type, MethodType.methodType(void.class, ctorTypes));
            return new RecordBinding<>(ctor.asSpreader(Object[].class, rc.length), fields, sources, types);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot construct record " + type.getName() + " (" + e + "): "
                    + (given != null ? "its canonical constructor must be accessible from the Lookup given (" + given + ")"
                    : "without a Lookup, it must be public with a public canonical constructor; or copy with your"
                    + " module's Lookup: view.as(" + type.getSimpleName() + ".class, MethodHandles.lookup())"), e);
        }
    }

    /**
     * The lookup to find the constructor with: the caller's, or this library's own when the record's package
     * is exported to it, or the record's private lookup when its package is open to this library (the class
     * path, a single-file program).
     */
    private static MethodHandles.Lookup lookup(Class<?> type, MethodHandles.Lookup given) throws IllegalAccessException {
        if (given != null) {
            return given;
        }
        Module m = type.getModule();
        Module core = RecordBinding.class.getModule();
        BindingAccess.readModule(m);
        if (Modifier.isPublic(type.getModifiers()) && m.isExported(type.getPackageName(), core)) {
            return MethodHandles.lookup();
        }
        if (m.isOpen(type.getPackageName(), core)) {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup());
        }
        throw new IllegalArgumentException(BindingAccess.notAccessible(type, "record", "construct"));
    }

    @SuppressWarnings("unchecked")
    R read(EventView view) {
        Object[] args = new Object[fields.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = value(view, i);
        }
        try {
            return (R) constructor.invoke(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private Object value(EventView view, int i) {
        Class<?> t = types[i];
        switch (sources[i]) {
            case CPU:
                return convert(view.cpu(), t);
            case PID:
                return convert(view.pid(), t);
            case TID:
                return convert(view.tid(), t);
            case TIME:
                return convert(view.timeNanos(), t);
            case SYMBOL:
                return view.symbol(fields[i]);
            case ABSENT:
                return t == boolean.class ? Boolean.FALSE : t.isPrimitive() ? convert(0, t) : null;
            default:
                break;
        }
        Field f = fields[i];
        if (t == String.class) {
            return f.isString() ? view.getString(f) : String.valueOf(view.value(f));
        }
        if (t == long[].class) {
            return view.getLongArray(f);
        }
        if (t == byte[].class) {
            return view.getBytes(f);
        }
        if (t == boolean.class || t == Boolean.class) {
            return view.getLong(f) != 0;
        }
        if (t == Object.class) {
            return view.value(f);
        }
        return convert(view.getLong(f), t);
    }

    private static Object convert(long v, Class<?> t) {
        if (t == int.class || t == Integer.class) {
            return (int) v;
        }
        if (t == long.class || t == Long.class) {
            return v;
        }
        if (t == short.class || t == Short.class) {
            return (short) v;
        }
        if (t == byte.class || t == Byte.class) {
            return (byte) v;
        }
        if (t == boolean.class) {
            return v != 0;
        }
        throw new IllegalArgumentException("unsupported record component type " + t.getName());
    }
}
