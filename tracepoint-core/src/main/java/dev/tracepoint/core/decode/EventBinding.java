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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
 *   <li>{@code long x(int i)}: element {@code i} of a numeric array field, allocation-free; {@code String x(int i)}:
 *       string {@code i} of a probe's string array ({@code __data_loc char[][N]}, a {@code string[N]} fetch);</li>
 *   <li>{@code boolean hasX()}: whether field {@code x} exists in this kernel's format.</li>
 * </ul>
 * Methods with a body ({@code default}) and the methods of {@link TracepointEvent} are left alone.
 *
 * <p>An accessor may not take the name of a {@link TracepointEvent} method ({@code cpu()}, {@code pid()},
 * {@code tid()}, {@code timeNanos()}, {@code tracepoint()}, {@code view()}): {@code int pid()} on
 * {@code signal:signal_generate} would hide the sender's pid behind the field {@code pid}, the target's.
 * Binding such an interface fails naming the method and the field; read the field under another name,
 * {@code @TracepointField("pid") int targetPid()}.
 *
 * <p>Binding fails fast with an {@link IllegalArgumentException} that names every required field the
 * kernel lacks and every accessor that does not fit its field. An {@linkplain TracepointField#optional()
 * optional} field that is absent is reported by {@link #absentFields()} and its accessor throws
 * {@link IllegalStateException}.
 *
 * <h2>Where the generated class lives</h2>
 * The library generates one class per interface and layout, which must be able to implement the interface:
 * <ul>
 *   <li>A public interface in a package exported to {@code dev.tracepoint.core} (every package on the class
 *       path; on the module path, exported unconditionally or by
 *       {@code exports com.example.events to dev.tracepoint.core;}) and visible from the library's class
 *       loader binds with {@link #of(Class, EventFormat)}: the class is a hidden class of this library.</li>
 *   <li>Any other interface in a package open to {@code dev.tracepoint.core}, public or not, binds with it
 *       too: every package on the class path, and a single-file source program's ({@code java Prog.java}),
 *       whose classes the library's class loader cannot see. The class is then defined next to the interface,
 *       by the interface's class loader.</li>
 *   <li>Otherwise, hand the library your module's {@link MethodHandles.Lookup}, as hidden-class APIs take one:
 *       {@link #of(Class, EventFormat, MethodHandles.Lookup) of(type, format, MethodHandles.lookup())}
 *       (and the {@code Subscription} and {@code TracepointStream} overloads that take one). The class is
 *       then defined in the lookup's package and module, with no {@code exports} needed; without it, binding
 *       fails with an error giving the exact {@code exports} line for your {@code module-info.java}.</li>
 * </ul>
 *
 * <p>Bindings are cached per interface and layout and are thread-safe; the objects returned by
 * {@link #attach(EventView)} are not.
 *
 * @param <T> the typed event interface
 */
public final class EventBinding<T> {

    private static final String BASE = "dev/tracepoint/core/internal/binding/BoundEvent";
    private static final String CTOR = "(Ldev/tracepoint/core/decode/EventView;[Ldev/tracepoint/core/format/Field;Ljava/lang/String;)V";
    /** Per interface, per layout; a ClassValue, so a binding does not keep the interface's class loader alive. */
    private static final ClassValue<Map<String, EventBinding<?>>> CACHE = new ClassValue<>() {
        @Override
        protected Map<String, EventBinding<?>> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };
    private static final AtomicLong COUNTER = new AtomicLong();
    /** The names of {@link TracepointEvent}'s methods, which no accessor may take. */
    private static final Set<String> METADATA = metadataNames();

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
     * Binds {@code type} to {@code format}, compiling the accessor class on first use. The class is defined
     * in this library when the interface is public, in a package exported to it and visible from its class
     * loader, else next to the interface when its package is open to this library (the class path, a
     * single-file program); for an interface in a package of a named module that neither opens nor exports it
     * to {@code dev.tracepoint.core}, use {@link #of(Class, EventFormat, MethodHandles.Lookup)}.
     *
     * @param type   an interface with accessor methods
     * @param format the running kernel's layout of the tracepoint
     * @param <T>    the interface
     * @return the binding
     * @throws IllegalArgumentException naming every missing required field, every accessor that does not fit
     *                                  and every accessor named like a {@link TracepointEvent} method; or, on the
     *                                  module path, the {@code exports} line the interface's module lacks
     */
    public static <T> EventBinding<T> of(Class<T> type, EventFormat format) {
        return bind(type, format, null);
    }

    /**
     * Binds {@code type} to {@code format} with the caller's lookup, compiling the accessor class on first use
     * as a hidden class of the lookup's package and module ({@link MethodHandles.Lookup#defineHiddenClass}).
     * For typed interfaces in a named module that does not export their package to
     * {@code dev.tracepoint.core}; the interface need not be public, only accessible from the lookup:
     *
     * {@snippet :
     * EventBinding<Kill> kills = EventBinding.of(Kill.class, format, MethodHandles.lookup());
     * }
     *
     * @param type   an interface with accessor methods, accessible from {@code lookup}
     * @param format the running kernel's layout of the tracepoint
     * @param lookup a lookup with full privilege access ({@link MethodHandles#lookup()}, called in your code)
     * @param <T>    the interface
     * @return the binding
     * @throws IllegalArgumentException naming every missing required field, every accessor that does not fit
     *                                  and every accessor named like a {@link TracepointEvent} method; or when
     *                                  {@code lookup} lacks full privilege access or cannot access {@code type}
     */
    public static <T> EventBinding<T> of(Class<T> type, EventFormat format, MethodHandles.Lookup lookup) {
        Objects.requireNonNull(lookup, "lookup");
        return bind(type, format, lookup);
    }

    @SuppressWarnings("unchecked")
    private static <T> EventBinding<T> bind(Class<T> type, EventFormat format, MethodHandles.Lookup lookup) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(format, "format");
        if (lookup != null) {
            BindingAccess.checkLookup(type, lookup);
        }
        return (EventBinding<T>) CACHE.get(type).computeIfAbsent(cacheKey(format), k -> compile(type, format, lookup));
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

    /**
     * Returns the interface.
     *
     * @return the interface
     */
    public Class<T> type() {
        return type;
    }

    /**
     * Returns the layout it is bound to.
     *
     * @return the layout it is bound to
     */
    public EventFormat format() {
        return format;
    }

    /**
     * Returns the optional fields this kernel's format lacks.
     *
     * @return the optional fields this kernel's format lacks
     */
    public Set<String> absentFields() {
        return absent;
    }

    // ------------------------------------------------------------------------------------------ compiler

    private static <T> EventBinding<T> compile(Class<T> type, EventFormat format, MethodHandles.Lookup given) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface; for records use EventView.as(Class)");
        }
        MethodHandles.Lookup definer = given != null ? given : BindingAccess.definer(type);
        String pkg = definer.lookupClass().getPackageName();
        // a hidden class needs a lookup with full privilege access; the private lookup of an open package has
        // no MODULE access, so the class is an ordinary one there: its name must then be unique in the package
        boolean hidden = definer.hasFullPrivilegeAccess();
        String name = (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + type.getSimpleName() + "$$Bound$"
                + (hidden ? "" : Integer.toHexString(System.identityHashCode(EventBinding.class)) + "$") + COUNTER.incrementAndGet();
        ClassBytes cb = new ClassBytes(name, BASE, type.getName().replace('.', '/'));
        cb.method(0x0001, "<init>", CTOR, 4, 4, cb.code()
                .op(ClassBytes.ALOAD_0).op(ClassBytes.ALOAD_1).op(ClassBytes.ALOAD_2).op(ClassBytes.ALOAD_3)
                .invoke(ClassBytes.INVOKESPECIAL, BASE, "<init>", CTOR)
                .op(ClassBytes.RETURN));

        List<Field> used = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> absent = new LinkedHashSet<>();
        boolean tracepointEvent = TracepointEvent.class.isAssignableFrom(type);
        for (Method m : type.getMethods()) {
            if (m.getDeclaringClass() == TracepointEvent.class || Modifier.isStatic(m.getModifiers()) || isObjectMethod(m)) {
                continue;
            }
            boolean metadataName = m.getParameterCount() == 0 && METADATA.contains(m.getName());
            if (!Modifier.isAbstract(m.getModifiers())) {
                if (metadataName && !tracepointEvent) {
                    problems.add("default method " + m.getName() + "() has the name of TracepointEvent." + m.getName()
                            + "(), which the generated class inherits too: extend TracepointEvent or rename it");
                }
                continue;
            }
            if (metadataName) {
                if (!(m.getName().equals("view") && m.getReturnType() == EventView.class)) {
                    problems.add(collision(m, format));
                }
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
            Class<?> c = hidden ? definer.defineHiddenClass(cb.toByteArray(), true).lookupClass() : definer.defineClass(cb.toByteArray());
            MethodHandle ctor = definer.findConstructor(c, MethodType.methodType(void.class, EventView.class, Field[].class, String.class));
            return new EventBinding<>(type, format, Collections.unmodifiableSet(absent), used.toArray(new Field[0]), ctor);
        } catch (IllegalAccessException | NoSuchMethodException | LinkageError e) {
            throw new IllegalArgumentException("cannot generate the accessor class for " + type.getName() + " in "
                    + definer.lookupClass().getPackageName() + " (class loader " + definer.lookupClass().getClassLoader()
                    + ", " + definer.lookupClass().getModule() + "): " + e + "; " + BindingAccess.lookupHint(type), e);
        }
    }

    /** The error for an abstract accessor named like a {@link TracepointEvent} method. */
    private static String collision(Method m, EventFormat format) {
        String name = m.getName();
        TracepointField ann = m.getAnnotation(TracepointField.class);
        Field f = resolve(format, name, ann);
        String field = f != null ? f.name() : ann != null && !ann.value().isEmpty() ? ann.value() : snake(name);
        String rename = (name.equals("pid") || name.equals("tid") || name.equals("cpu")
                ? "target" + Character.toUpperCase(name.charAt(0)) + name.substring(1) : name + "Field");
        return "accessor " + m.getReturnType().getSimpleName() + " " + name + "() has the name of TracepointEvent." + name
                + "() (the sample's metadata), so it would hide that method and read "
                + (f != null ? "field '" + field + "'" : "a field '" + field + "' this format lacks")
                + " instead; to read the field, give the accessor another name: @TracepointField(\"" + field + "\") "
                + m.getReturnType().getSimpleName() + " " + rename + "()";
    }

    private static boolean isObjectMethod(Method m) {
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static Set<String> metadataNames() {
        Set<String> names = new HashSet<>();
        for (Method m : TracepointEvent.class.getMethods()) {
            if (m.getParameterCount() == 0) {
                names.add(m.getName());
            }
        }
        return Set.copyOf(names);
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
        if (params.length == 1 && params[0] == int.class && !scalar) {
            // String x(int i): string i of a probe's string array; long x(int i): element i of a numeric array
            boolean strings = rt == String.class && f.kind() == FieldKind.DATA_LOC && f.arrayLength() > 0;
            boolean element = rt == long.class && !f.isString() && f.elementSize() >= 1 && f.elementSize() <= 8;
            if (!strings && !element) {
                return what;
            }
            int idx = index(used, f);
            cb.method(0x0001, mname, desc, 3, 2, cb.code()
                    .op(ClassBytes.ALOAD_0).ldcInt(idx).op(ClassBytes.ILOAD_1)
                    .invoke(ClassBytes.INVOKEVIRTUAL, BASE, strings ? "strAt" : "element", strings ? "(II)Ljava/lang/String;" : "(II)J")
                    .op(strings ? ClassBytes.ARETURN : ClassBytes.LRETURN));
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
