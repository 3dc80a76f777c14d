/**
 * Not API. The superclass of the classes {@link dev.tracepoint.core.decode.EventBinding} generates for typed
 * event interfaces. A class bound through the caller's {@link java.lang.invoke.MethodHandles.Lookup} is
 * defined in the caller's package and module, so this package (and nothing else of the library's internals)
 * is exported at run time to that module alone.
 */
package dev.tracepoint.core.internal.binding;
