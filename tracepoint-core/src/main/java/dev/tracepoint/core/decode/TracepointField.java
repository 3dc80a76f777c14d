package dev.tracepoint.core.decode;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds an accessor of a typed event interface (or a record component) to a tracepoint field whose name
 * does not follow from the accessor's name, or marks the field optional.
 *
 * <p>Without this annotation an accessor {@code prevComm()} binds to the field {@code prev_comm} (camelCase
 * to snake_case), or to {@code prevComm} if the format has a field of exactly that name.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface TracepointField {

    /**
     * The name of the field the accessor reads, exactly as the format file declares it.
     *
     * @return the kernel's field name; empty to derive it from the accessor name
     */
    String value() default "";

    /**
     * Marks a field that may be missing from the running kernel's format, as {@code result} of
     * {@code signal_generate} is before Linux 3.4. Its accessor then throws {@link IllegalStateException}
     * instead of returning a made-up value, and a {@code boolean hasX()} method reports it absent; a record
     * component gets 0, {@code false} or {@code null}.
     *
     * @return whether the field may be absent
     */
    boolean optional() default false;
}
