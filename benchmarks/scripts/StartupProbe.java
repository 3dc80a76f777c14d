import dev.tracepoint.core.TracepointStream;
import dev.tracepoint.core.format.Field;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * run-startup.sh's library program: {@code java -cp tracepoint-core.jar:. StartupProbe READY_FILE [TRACEPOINT...]}
 * opens one stream per tracepoint (the builder's defaults, an event listener that reads the first payload
 * field), starts each on its own thread, then creates READY_FILE and sleeps until killed. With no tracepoint it
 * is the idle JVM the others are measured against: the same class path, no stream. Compiled by the script
 * against each build's core jar (it uses API both have).
 */
public final class StartupProbe {

    static volatile long sink;

    public static void main(String[] args) throws Exception {
        for (int i = 1; i < args.length; i++) {
            TracepointStream s = TracepointStream.builder().build();
            Field first = s.enable(args[i]).format().payloadFields().get(0);
            s.onEvent(args[i], e -> sink += e.getLong(first));
            s.open();
            s.startAsync();
        }
        Files.writeString(Path.of(args[0]), "ready\n");
        Thread.sleep(Long.MAX_VALUE);
    }
}
