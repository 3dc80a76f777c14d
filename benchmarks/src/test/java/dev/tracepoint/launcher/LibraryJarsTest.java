package dev.tracepoint.launcher;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The library jars carry no launcher: a service that depends on tracepoint-core, -signal or -skb gets no
 * {@code internal.cli} classes, no {@code Main-Class}, no {@code jdk.unsupported} and no command services; every
 * class of a module's {@code src/cli/java} is in its {@code -cli.jar} instead. Checks the jars this build
 * packaged (this module builds after them).
 */
class LibraryJarsTest {

    static final List<String> MODULES = List.of("tracepoint-core", "tracepoint-signal", "tracepoint-skb");
    static final String SERVICES = "META-INF/services/dev.tracepoint.core.internal.cli.Command";

    @BeforeAll
    static void packaged() throws Exception {
        // `mvn test` does not package: the jars may be missing or older than the sources. `mvn verify` (CI) packages.
        boolean fresh = true;
        for (String m : MODULES) {
            fresh &= fresh(m);
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertThat(fresh).as("CI packages the jars before this test").isTrue();
        } else {
            assumeTrue(fresh, "the library and cli jars are missing or older than the sources: run mvn package");
        }
    }

    static boolean fresh(String module) throws Exception {
        Path root = LauncherIT.REPO.resolve(module);
        Path jar;
        Path cli;
        try {
            jar = LauncherIT.jar(module);
            cli = LauncherIT.cliJar(module);
        } catch (AssertionError | IOException missing) {
            return false;
        }
        FileTime built = Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(cli)) < 0
                ? Files.getLastModifiedTime(jar) : Files.getLastModifiedTime(cli);
        for (Path dir : List.of(root.resolve("src/main"), root.resolve("src/cli"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                if (files.filter(Files::isRegularFile).anyMatch(f -> modified(f).compareTo(built) > 0)) {
                    return false;
                }
            }
        }
        return true;
    }

    static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> entries(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.stream().map(e -> e.getName()).toList();
        }
    }

    /** @return the class files {@code src/cli/java} of a module compiles to (top-level classes) */
    static List<String> cliClasses(String module) throws IOException {
        Path src = LauncherIT.REPO.resolve(module).resolve("src/cli/java");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String rel = src.relativize(f).toString();
                if (!rel.endsWith("package-info.java")) {
                    out.add(rel.substring(0, rel.length() - ".java".length()) + ".class");
                }
            }
        }
        return out;
    }

    @Test
    void theLibraryJarsHaveNoLauncher() throws Exception {
        for (String m : MODULES) {
            Path jar = LauncherIT.jar(m);
            List<String> entries = entries(jar);
            assertThat(entries).as(jar + ": classes").anyMatch(e -> e.endsWith(".class") && !e.equals("module-info.class"))
                    .noneMatch(e -> e.matches("dev/tracepoint/[^/]+/internal/cli/.*")).doesNotContain(SERVICES)
                    .doesNotContainAnyElementsOf(cliClasses(m));
            try (JarFile j = new JarFile(jar.toFile())) {
                assertThat(j.getManifest().getMainAttributes().getValue("Main-Class")).as(jar + ": Main-Class").isNull();
            }
            ModuleReference ref = ModuleFinder.of(jar).findAll().stream().findFirst()
                    .orElseThrow(() -> new AssertionError(jar + " is no module"));
            ModuleDescriptor d = ref.descriptor();
            assertThat(d.isAutomatic()).as(jar + " has its module descriptor").isFalse();
            assertThat(d.requires()).as(d.name() + " requires").extracting(ModuleDescriptor.Requires::name)
                    .doesNotContain("jdk.unsupported");
            assertThat(d.exports()).as(d.name() + " exports").extracting(ModuleDescriptor.Exports::source)
                    .noneMatch(p -> p.endsWith(".internal.cli"));
            assertThat(d.packages()).as(d.name() + " packages").noneMatch(p -> p.endsWith(".internal.cli"));
            assertThat(d.uses()).as(d.name() + " uses").isEmpty();
            assertThat(d.provides()).as(d.name() + " provides").isEmpty();
        }
    }

    @Test
    void theCliJarsHaveTheLauncher() throws Exception {
        for (String m : MODULES) {
            Path cli = LauncherIT.cliJar(m);
            List<String> entries = entries(cli);
            assertThat(entries).as(cli.toString()).containsAll(cliClasses(m)).doesNotContain("module-info.class")
                    .filteredOn(e -> e.endsWith(".class")).allMatch(e -> e.matches("dev/tracepoint/[^/]+/internal/cli/.*"));
        }
        assertThat(entries(LauncherIT.cliJar("tracepoint-core"))).contains("dev/tracepoint/core/internal/cli/Main.class")
                .doesNotContain(SERVICES);
        for (String[] m : new String[][] {{"tracepoint-signal", "dev.tracepoint.signal.internal.cli.SignalsCommand"},
                {"tracepoint-skb", "dev.tracepoint.skb.internal.cli.DropsCommand"}}) {
            try (JarFile j = new JarFile(LauncherIT.cliJar(m[0]).toFile())) {
                assertThat(new String(j.getInputStream(j.getEntry(SERVICES)).readAllBytes()).trim()).isEqualTo(m[1]);
            }
        }
    }
}
