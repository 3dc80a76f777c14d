/**
 * Not API. Entry points that exported classes open to the library's own internals only: each exported class
 * registers its implementation here from its static initializer.
 */
package dev.tracepoint.core.internal.access;
