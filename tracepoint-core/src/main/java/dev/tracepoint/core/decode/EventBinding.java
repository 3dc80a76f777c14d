package dev.tracepoint.core.decode;

import dev.tracepoint.core.format.EventFormat;
import dev.tracepoint.core.format.Field;
import dev.tracepoint.core.format.FieldKind;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A typed event interface bound to one tracepoint layout: the accessors of the interface compiled into a
 * class that reads each field at the offset the running kernel's format gives.
 *
 * <p>Accessor rules (the field name is the accessor name in snake_case, the exact accessor name, or
 * {@link TracepointField#value()}):
 * <ul>
 *   <li>{@code int}, {@code long}, {@code short}, {@code byte}, {@code boolean}: an integer, {@code bool},
 *       {@code enum} or pointer field no wider than the Java type ({@code boolean} takes any width);</li>
 *   <li>{@code String}: a string field ({@code char[N]}, {@code __data_loc char[]}); or a field with a
 *       {@code __print_symbolic}/{@code __print_flags} table, giving the value's name; an accessor named
 *       {@code xName()} gives the name of field {@code x};</li>
 *   <li>{@code int x(byte[] dst)}: copies a string (up to its NUL) or array field into {@code dst},
 *       allocation-free, and returns the number of bytes;</li>
 *   <li>{@code long[]}, {@code byte[]}: the elements or bytes of an array field;</li>
 *   <li>{@code boolean hasX()}: whether field {@code x} exists in this kernel's format.</li>
 * </ul>
 * Methods with a body ({@code default}) and the methods of {@link TracepointEvent} are left alone.
 *
 * <p>Binding fails fast with an {@link IllegalArgumentException} that names every required field the
 * kernel lacks and every accessor that does not fit its field. An {@linkplain TracepointField#optional()
 * optional} field that is absent is reported by {@link #absentFields()} and its accessor throws
 * {@link IllegalStateException}.
 *
 * <p>The interface must be public and visible from this library's class loader. Bindings are cached per
 * interface and layout and are thread-safe; the objects returned by {@link #attach(EventView)} are not.
 *
 * @param <T> the typed event interface
 */
public final class EventBinding<T> {

    private static final String BASE = "dev/tracepoint/core/decode/BoundEvent";
    private static final String CTOR = "(Ldev/tracepoint/core/decode/EventView;[Ldev/tracepoint/core/format/Field;Ljava/lang/String;)V";
    private static final Map<Class<?>, Map<String, EventBinding<?>>> CACHE = new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private final Class<T> type;
    private final EventFormat format;
    private final Set<String> absent;
    private final Field[] fields;
    private final MethodHandle constructor;

    private EventBinding(Class<T> type, EventFormat format, Set<String> absent, Field[] fields, MethodHandle constructor) {
        this.type = type;
        this.format = format;
        this.absent = absent;
        this.fields = fields;
        this.constructor = constructor;
    }

    /**
     * Binds {@code type} to {@code format}, compiling the accessor class on first use.
     *
     * @param type   a public interface with accessor methods
     * @param format the running kernel's layout of the tracepoint
     * @param <T>    the interface
     * @return the binding
     * @throws IllegalArgumentException naming every missing required field and every accessor that does not fit
     */
    @SuppressWarnings("unchecked")
    public static <T> EventBinding<T> of(Class<T> type, EventFormat format) {
        return (EventBinding<T>) CACHE.computeIfAbsent(type, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(cacheKey(format), k -> compile(type, format));
    }

    /**
     * What a compiled binding depends on: the field layout and the value tables (the same fields can carry
     * different {@code __print_symbolic} numbering, e.g. {@code kfree_skb} reasons in 5.17 and 6.1).
     */
    static String cacheKey(EventFormat format) {
        return format.fullName() + "|" + format.fields() + "|" + (format.printFmt() == null ? "" : format.printFmt().text());
    }

    /**
     * Creates a typed flyweight that reads from {@code view}. Create it once and reuse it for every event the
     * view moves to; it allocates nothing per event.
     *
     * @param view the view the stream moves from record to record
     * @return the typed event
     */
    public T attach(EventView view) {
        try {
            return type.cast(constructor.invoke(view, fields, format.fullName()));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot instantiate the bound class of " + type.getName(), t);
        }
    }

    /** @return the interface */
    public Class<T> type() {
        return type;
    }

    /** @return the layout it is bound to */
    public EventFormat format() {
        return format;
    }

    /** @return the optional fields this kernel's format lacks */
    public Set<String> absentFields() {
        return absent;
    }

    // ------------------------------------------------------------------------------------------ compiler

    private static <T> EventBinding<T> compile(Class<T> type, EventFormat format) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface; for records use EventView.as(Class)");
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException("typed event interface " + type.getName() + " must be public");
        }
        String name = EventBinding.class.getPackageName().replace('.', '/') + "/Bound$" + type.getSimpleName()
                + "$" + COUNTER.incrementAndGet();
        ClassBytes cb = new ClassBytes(name, BASE, type.getName().replace('.', '/'));
        cb.method(0x0001, "<init>", CTOR, 4, 4, cb.code()
                .op(ClassBytes.ALOAD_0).op(ClassBytes.ALOAD_1).op(ClassBytes.ALOAD_2).op(ClassBytes.ALOAD_3)
                .invoke(ClassBytes.INVOKESPECIAL, BASE, "<init>", CTOR)
                .op(ClassBytes.RETURN));

        List<Field> used = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> absent = new LinkedHashSet<>();
        for (Method m : type.getMethods()) {
            if (!Modifier.isAbstract(m.getModifiers()) || m.getDeclaringClass() == TracepointEvent.class) {
                continue;
            }
            String problem = accessor(cb, m, format, used, absent);
            if (problem != null) {
                problems.add(problem);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot bind " + type.getName() + " to " + format.fullName() + ": "
                    + String.join("; ", problems) + " (this kernel's fields: " + fieldNames(format) + ")");
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Module core = EventBinding.class.getModule();
            if (core.isNamed() && !core.canRead(type.getModule())) {
                core.addReads(type.getModule());
            }
            Class<?> c = lookup.defineHiddenClass(cb.toByteArray(), true).lookupClass();
            MethodHandle ctor = lookup.findConstructor(c, MethodType.methodType(void.class, EventView.class, Field[].class, String.class));
            return new EventBinding<>(type, format, Collections.unmodifiableSet(absent), used.toArray(new Field[0]), ctor);
        } catch (IllegalAccessException | NoSuchMethodException | LinkageError e) {
            throw new IllegalArgumentException("cannot generate the accessor class for " + type.getName()
                    + " (is it public and visible from the tracepoint library's class loader?): " + e, e);
        }
    }

    /** Emits one accessor; returns a problem description, or null. */
    private static String accessor(ClassBytes cb, Method m, EventFormat format, List<Field> used, Set<String> absent) {
        String mname = m.getName();
        Class<?> rt = m.getReturnType();
        Class<?>[] params = m.getParameterTypes();
        String desc = MethodType.methodType(rt, params).toMethodDescriptorString();
        TracepointField ann = m.getAnnotation(TracepointField.class);
        boolean optional = ann != null && ann.optional();

        // boolean hasX(): presence of field x (unless the format really has a field named has_x)
        if (params.length == 0 && rt == boolean.class && mname.length() > 3 && mname.startsWith("has")
                && Character.isUpperCase(mname.charAt(3)) && resolve(format, mname, ann) == null) {
            String target = Character.toLowerCase(mname.charAt(3)) + mname.substring(4);
            boolean present = resolve(format, target, null) != null;
            cb.method(0x0001, mname, desc, 1, 1, cb.code().op(present ? ClassBytes.ICONST_1 : ClassBytes.ICONST_0).op(ClassBytes.IRETURN));
            return null;
        }

        Field f = resolve(format, mname, ann);
        boolean symbolOfOther = false;
        if (f == null && rt == String.class && params.length == 0 && mname.endsWith("Name") && mname.length() > 4) {
            Field other = resolve(format, mname.substring(0, mname.length() - 4), null);
            if (other != null && other.table() != null) {
                f = other;
                symbolOfOther = true;
            }
        }
        if (f == null) {
            String wanted = ann != null && !ann.value().isEmpty() ? ann.value() : snake(mname);
            if (!optional) {
                return "required field '" + wanted + "' (accessor " + mname + "()) is missing";
            }
            absent.add(wanted);
            int slots = 1 + params.length;
            cb.method(0x0001, mname, desc, 2, slots, cb.code()
                    .op(ClassBytes.ALOAD_0).ldcString(wanted)
                    .invoke(ClassBytes.INVOKEVIRTUAL, BASE, "absent", "(Ljava/lang/String;)Ljava/lang/RuntimeException;")
                    .op(ClassBytes.ATHROW));
            return null;
        }

        boolean scalar = f.kind() == FieldKind.SCALAR || f.kind() == FieldKind.POINTER;
        String what = "accessor " + rt.getSimpleName() + " " + mname + "(" + (params.length == 1 ? params[0].getSimpleName() : "")
                + ") does not fit field " + f.name() + " (" + f.type() + ", size " + f.size() + ", " + f.kind() + ")";
        if (params.length == 1 && params[0] == byte[].class && rt == int.class && !scalar) {
            int idx = index(used, f);
            cb.method(0x0001, mname, desc, 3, 2, cb.code()
                    .op(ClassBytes.ALOAD_0).ldcInt(idx).op(ClassBytes.ALOAD_1)
                    .invoke(ClassBytes.INVOKEVIRTUAL, BASE, f.isString() ? "copyStr" : "copyBytes", "(I[B)I")
                    .op(ClassBytes.IRETURN));
            return null;
        }
        if (params.length != 0) {
            return what;
        }
        if (rt == String.class) {
            String helper;
            if (symbolOfOther || (scalar && f.table() != null)) {
                helper = "sym";
            } else if (f.isString()) {
                helper = "str";
            } else {
                return what;
            }
            int idx = index(used, f);
            cb.method(0x0001, mname, desc, 2, 1, cb.code()
                    .op(ClassBytes.ALOAD_0).ldcInt(idx)
                    .invoke(ClassBytes.INVOKEVIRTUAL, BASE, helper, "(I)Ljava/lang/String;")
                    .op(ClassBytes.ARETURN));
            return null;
        }
        if (rt == long[].class || rt == byte[].class) {
            if (scalar) {
                return what;
            }
            int idx = index(used, f);
            boolean longs = rt == long[].class;
            cb.method(0x0001, mname, desc, 2, 1, cb.code()
                    .op(ClassBytes.ALOAD_0).ldcInt(idx)
                    .invoke(ClassBytes.INVOKEVIRTUAL, BASE, longs ? "longs" : "bytes", longs ? "(I)[J" : "(I)[B")
                    .op(ClassBytes.ARETURN));
            return null;
        }
        String helper;
        int width;
        int ret = ClassBytes.IRETURN;
        if (rt == long.class) {
            helper = "i64";
            width = 8;
            ret = ClassBytes.LRETURN;
        } else if (rt == int.class) {
            helper = "i32";
            width = 4;
        } else if (rt == short.class) {
            helper = "i16";
            width = 2;
        } else if (rt == byte.class) {
            helper = "i8";
            width = 1;
        } else if (rt == boolean.class) {
            helper = "bool";
            width = 8;
        } else {
            return what + ": unsupported return type";
        }
        if (!scalar || f.size() < 1 || f.size() > width) {
            return what;
        }
        String hdesc = "(II)" + (rt == long.class ? "J" : rt == int.class ? "I" : rt == short.class ? "S" : rt == byte.class ? "B" : "Z");
        cb.method(0x0001, mname, desc, 3, 1, cb.code()
                .op(ClassBytes.ALOAD_0).ldcInt(f.offset()).ldcInt(EventView.code(f))
                .invoke(ClassBytes.INVOKEVIRTUAL, BASE, helper, hdesc)
                .op(ret));
        return null;
    }

    private static int index(List<Field> used, Field f) {
        int i = used.indexOf(f);
        if (i < 0) {
            used.add(f);
            i = used.size() - 1;
        }
        return i;
    }

    /** The field an accessor name (or annotation) refers to, or null. */
    static Field resolve(EventFormat format, String accessor, TracepointField ann) {
        if (ann != null && !ann.value().isEmpty()) {
            return format.field(ann.value());
        }
        Field f = format.field(snake(accessor));
        return f != null ? f : format.field(accessor);
    }

    /** {@code prevComm} to {@code prev_comm}. */
    static String snake(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String fieldNames(EventFormat format) {
        List<String> names = new ArrayList<>();
        for (Field f : format.payloadFields()) {
            names.add(f.name());
        }
        return String.join(", ", names);
    }
}
