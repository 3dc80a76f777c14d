package dev.tracepoint.core.decode;

import dev.tracepoint.core.internal.binding.BoundEvent;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Modifier;

/**
 * Where the class generated for a typed interface (or the constructor call of a typed record) may live, and
 * what to tell the user when it may not: the module and class-loader rules of {@link EventBinding} and
 * {@link RecordBinding}. Defining next to the interface (with the user's lookup, or a private lookup when the
 * package is open to this library) needs the base class's package exported to the user's module, which
 * {@link #prepare} does for that module alone.
 */
final class BindingAccess {

    private static final Module CORE = BindingAccess.class.getModule();

    private BindingAccess() {
    }

    /**
     * Where to define the class of an interface bound without a lookup: in this library when the interface
     * is public, exported to it and visible from its class loader (as always); else next to the interface,
     * when its package is open to this library (the class path, the source launcher's class loader).
     */
    static MethodHandles.Lookup definer(Class<?> type) {
        Module m = type.getModule();
        String pn = type.getPackageName();
        readModule(m);
        if (Modifier.isPublic(type.getModifiers()) && m.isExported(pn, CORE) && visible(BindingAccess.class.getClassLoader(), type)) {
            return MethodHandles.lookup();
        }
        if (m.isOpen(pn, CORE)) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
                prepare(type, lookup.lookupClass());
                return lookup;
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot bind " + type.getName() + ": " + e + "; " + lookupHint(type), e);
            }
        }
        throw new IllegalArgumentException(notAccessible(type, "typed event interface", "bind"));
    }

    /** Checks a lookup given to bind {@code type}, then {@link #prepare}s its module. */
    static void checkLookup(Class<?> type, MethodHandles.Lookup lookup) {
        if (!lookup.hasFullPrivilegeAccess()) {
            throw new IllegalArgumentException("the Lookup given to bind " + type.getName() + " (" + lookup
                    + ") lacks full privilege access: pass MethodHandles.lookup(), called in your own code, not"
                    + " publicLookup() or a lookup narrowed by in() or dropLookupMode()");
        }
        try {
            lookup.accessClass(type);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException(type.getName() + " is not accessible from the Lookup given to bind it ("
                    + lookup + "): pass the lookup of a class of the interface's own module", e);
        }
        prepare(type, lookup.lookupClass());
    }

    /**
     * Checks that a class defined next to {@code at} can extend this library's base class, and exports that
     * class's package (and nothing else of the library's internals) to {@code at}'s module.
     */
    private static void prepare(Class<?> type, Class<?> at) {
        if (!visible(at.getClassLoader(), BoundEvent.class)) {
            throw new IllegalArgumentException("cannot bind " + type.getName() + " next to " + at.getName()
                    + ": the tracepoint library is not visible from its class loader (" + at.getClassLoader() + ")");
        }
        Module module = at.getModule();
        if (module.isNamed() && !module.canRead(CORE)) {
            throw new IllegalArgumentException("cannot bind " + type.getName() + " with the lookup of " + at.getName()
                    + ": module " + module.getName() + " does not read " + CORE.getName()
                    + "; add to its module-info.java: requires " + CORE.getName() + ";");
        }
        String base = BoundEvent.class.getPackageName();
        if (CORE.isNamed() && !CORE.isExported(base, module)) {
            CORE.addExports(base, module);
        }
    }

    /** Lets this library's module read {@code m}, as implementing or constructing its types needs. */
    static void readModule(Module m) {
        if (CORE.isNamed() && !CORE.canRead(m)) {
            CORE.addReads(m);
        }
    }

    /**
     * Why {@code type} cannot be bound (or constructed) without a lookup, and the two ways out: the exact
     * {@code exports} line for its module-info.java, or the lookup overloads.
     */
    static String notAccessible(Class<?> type, String what, String verb) {
        Module m = type.getModule();
        String pn = type.getPackageName();
        StringBuilder sb = new StringBuilder("cannot " + verb + " " + what + " " + type.getName() + ": ");
        if (m.isNamed() && !m.isExported(pn, CORE)) {
            String line = CORE.isNamed() ? "exports " + pn + " to " + CORE.getName() + ";" : "exports " + pn + ";";
            sb.append("package ").append(pn).append(" of module ").append(m.getName()).append(" is not exported to ")
                    .append(CORE.isNamed() ? CORE.getName() : "the tracepoint library (on the class path)")
                    .append(". Either add to module-info.java of module ").append(m.getName()).append(": ").append(line)
                    .append(" or ");
        } else if (!Modifier.isPublic(type.getModifiers())) {
            sb.append("it is not public. Make it public, or ");
        } else {
            sb.append("it is not visible from the tracepoint library's class loader (").append(BindingAccess.class.getClassLoader())
                    .append("; its own: ").append(type.getClassLoader()).append("). ");
        }
        return sb.append(lookupHint(type)).toString();
    }

    static String lookupHint(Class<?> type) {
        String simple = type.getSimpleName() + ".class";
        if (type.isRecord()) {
            return "copy with your module's Lookup: view.as(" + simple + ", MethodHandles.lookup())";
        }
        return "bind with your module's Lookup: subscription.onEvent(" + simple + ", MethodHandles.lookup(), listener)"
                + ", subscription.bind(" + simple + ", MethodHandles.lookup()) or EventBinding.of(" + simple
                + ", format, MethodHandles.lookup())";
    }

    private static boolean visible(ClassLoader loader, Class<?> c) {
        try {
            return Class.forName(c.getName(), false, loader) == c;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
