package dev.tracepoint.readme;

import org.junit.jupiter.api.Test;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code java} block of the README compiles against the modules' public API as written, so an example
 * never drifts from the API it shows (the first, a whole program, also runs: {@code ReadmeExampleIT}). A block
 * that is a whole compilation unit (it declares a top-level class) is compiled as it is; any other block is
 * a fragment: its type declarations become members of a class, its statements the body of a method whose
 * parameters are the free names the README's fragments use ({@code stream}, {@code segment}, ...).
 */
class ReadmeSnippetsTest {

    private static final Path README = Path.of(System.getProperty("tracepoint.repo", "..")).resolve("README.md");
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    /** What a fragment may use without declaring it: the README's running example's names. */
    private static final String PRELUDE = """
            import dev.tracepoint.core.*;
            import dev.tracepoint.core.decode.*;
            import dev.tracepoint.core.format.*;
            import dev.tracepoint.core.jfr.*;
            import dev.tracepoint.signal.*;
            import dev.tracepoint.skb.*;
            import java.lang.foreign.MemorySegment;
            import java.lang.invoke.MethodHandles;
            import java.nio.file.Path;
            import java.time.Duration;
            import java.util.*;
            import javax.management.remote.*;

            public class Snippet%d {
            %s
                static void count(int a, int b) {
                }

                static void snippet(TracepointStream stream, Tracefs tracefs, MemorySegment segment, long offset,
                                    int length, int cpu, int pid, int tid, long timeNanos) throws Exception {
            %s
                }
            }
            """;

    @Test
    void everyJavaBlockOfTheReadmeCompiles() throws IOException {
        String readme = Files.readString(README);
        List<JavaFileObject> units = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        int n = 0;
        while (m.find()) {
            String block = m.group(1);
            units.add(source(n, block.contains("public class ") ? block : fragment(n, block)));
            n++;
        }
        assertThat(n).as("java blocks in the README").isGreaterThanOrEqualTo(5);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("readme-snippets");
        List<String> options = List.of("-proc:none", "-d", out.toString(), "-classpath", System.getProperty("java.class.path"));
        boolean ok = javac.getTask(null, null, diagnostics, options, null, units).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null));
            }
        }
        assertThat(errors).as("README blocks that do not compile (see the generated sources' line numbers)").isEmpty();
        assertThat(ok).isTrue();
    }

    /** Splits a fragment into its type declarations (to class level) and its statements (to the method). */
    static String fragment(int n, String block) {
        StringBuilder types = new StringBuilder();
        StringBuilder statements = new StringBuilder();
        String[] lines = block.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.matches("(public )?(interface|record|enum|final class|class) .*")) {
                int depth = 0;
                do {
                    String l = lines[i];
                    types.append("    ").append(l.startsWith("public ") ? l.substring(7) : l).append('\n');
                    depth += count(l, '{') - count(l, '}');
                    i++;
                } while (i < lines.length && depth > 0);
                i--;
            } else if (!line.startsWith("import ")) {
                statements.append("        ").append(line).append('\n');
            }
        }
        return String.format(PRELUDE, n, types, statements);
    }

    private static int count(String s, char c) {
        int k = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                k++;
            }
        }
        return k;
    }

    private static JavaFileObject source(int n, String code) {
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(code);
        String name = cls.find() ? cls.group(1) : "Snippet" + n;
        return new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }
}
