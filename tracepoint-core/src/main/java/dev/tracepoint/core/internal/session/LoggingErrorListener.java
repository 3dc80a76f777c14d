package dev.tracepoint.core.internal.session;

import dev.tracepoint.core.ErrorListener;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stream's default error listener: logs each error through {@link System.Logger} ({@code dev.tracepoint}),
 * at most one line per second per error class, with the count of the similar errors it suppressed. Owns its
 * rate-limiting state only; safe to call from any thread.
 */
public final class LoggingErrorListener implements ErrorListener {

    private static final System.Logger LOG = System.getLogger("dev.tracepoint");

    private final Map<Class<?>, long[]> last = new ConcurrentHashMap<>();

    /** A listener with no error seen yet. */
    public LoggingErrorListener() {
    }

    @Override
    public void onError(Throwable error) {
        long now = System.nanoTime();
        long[] s = last.computeIfAbsent(error.getClass(), k -> new long[] {now - 2_000_000_000L, 0});
        if (now - s[0] >= 1_000_000_000L) {
            LOG.log(System.Logger.Level.WARNING, "tracepoint stream: " + error
                    + (s[1] > 0 ? " (" + s[1] + " similar errors suppressed)" : ""), error);
            s[0] = now;
            s[1] = 0;
        } else {
            s[1]++;
        }
    }
}
