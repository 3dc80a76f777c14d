package dev.tracepoint.release;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The release as a user of Maven Central gets it. Every published module installs its artifacts (pom, jar,
 * attached jars) into a repository under {@code target/release-repo} after it is packaged (the invoker plugin's
 * install goal, skipped where deploy is skipped); in integration-test this checks that repository: exactly the
 * artifacts of {@code src/it/release-artifacts.txt}, the metadata Central requires in every POM, a BOM that
 * manages the three modules and nothing else. Then it builds two separate consumer projects ({@code src/it})
 * against that repository with the Maven running this build and runs them, one on the class path and one on
 * the module path: each opens a real stream, signals a child of its own and exits 0 only if it received that
 * event. Nothing is written into the user's local repository; offline ({@code mvn -o}) works.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseArtifactsIT {

    static final String GROUP = "dev.tracepoint";
    static final List<String> MODULES = List.of("tracepoint-core", "tracepoint-signal", "tracepoint-skb");
    static String VERSION;
    static Path RELEASE_REPO;
    static Path CONSUMERS;
    static Path WORK;

    /** Runs in the benchmarks pom's release-check execution, which says where everything is. */
    @BeforeAll
    static void locations() {
        assumeTrue(System.getProperty("tracepoint.release.repo") != null,
                "runs in the release-check execution (integration-test) of the benchmarks module");
        VERSION = property("tracepoint.version");
        RELEASE_REPO = Path.of(property("tracepoint.release.repo")).toAbsolutePath().normalize();
        CONSUMERS = Path.of(property("tracepoint.consumers")).toAbsolutePath().normalize();
        WORK = Path.of(property("tracepoint.consumers.work")).toAbsolutePath().normalize();
    }

    /** A published file: groupId:artifactId:extension[:classifier]. */
    record Coordinates(String groupId, String artifactId, String extension, String classifier) implements Comparable<Coordinates> {
        static Coordinates parse(String s) {
            String[] p = s.split(":");
            return new Coordinates(p[0], p[1], p[2], p.length > 3 ? p[3] : "");
        }

        Path path(Path repo) {
            String name = artifactId + "-" + VERSION + (classifier.isEmpty() ? "" : "-" + classifier) + "." + extension;
            return repo.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(VERSION).resolve(name);
        }

        @Override
        public int compareTo(Coordinates o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + extension + (classifier.isEmpty() ? "" : ":" + classifier);
        }
    }

    @Test
    @Order(1)
    void theRepositoryHoldsExactlyWhatIsPublished() throws IOException {
        assertThat(RELEASE_REPO.resolve("dev/tracepoint"))
                .as("the release check's repository; the published modules fill it in pre-integration-test (run mvn verify from the root)")
                .isDirectory();
        List<String> lines = Files.readAllLines(CONSUMERS.resolve("release-artifacts.txt")).stream()
                .map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
        String javadoc = lines.stream().filter(l -> l.startsWith("javadoc:")).map(l -> l.substring(8).strip())
                .findFirst().orElse("required");
        assertThat(javadoc).isIn("optional", "required");
        Set<Coordinates> expected = lines.stream().filter(l -> !l.startsWith("javadoc:")).map(Coordinates::parse)
                .collect(Collectors.toCollection(TreeSet::new));

        Set<Coordinates> actual = installed();
        Set<Coordinates> required = new TreeSet<>(expected);
        if (javadoc.equals("optional")) {
            required.removeIf(c -> c.classifier().equals("javadoc"));
        }
        Set<Coordinates> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        Set<Coordinates> missing = new TreeSet<>(required);
        missing.removeAll(actual);
        assertThat(extra).as("published but not a deliverable (src/it/release-artifacts.txt)").isEmpty();
        assertThat(missing).as("a deliverable that is not published").isEmpty();
        System.out.println("release-check: " + actual.size() + " artifacts published, javadoc jars " + javadoc + ": "
                + actual.stream().filter(c -> c.classifier().equals("javadoc")).count());

        for (String module : MODULES) {
            try (ZipFile jar = new ZipFile(new Coordinates(GROUP, module, "jar", "").path(RELEASE_REPO).toFile());
                 ZipFile sources = new ZipFile(new Coordinates(GROUP, module, "jar", "sources").path(RELEASE_REPO).toFile())) {
                assertThat(jar.getEntry("module-info.class")).as(module + " jar: module-info.class").isNotNull();
                assertThat(sources.getEntry("module-info.java")).as(module + " sources: module-info.java").isNotNull();
                assertThat(sources.stream().filter(e -> e.getName().endsWith(".java")).count())
                        .as(module + " sources").isGreaterThan(5);
                assertThat(sources.stream().filter(e -> e.getName().endsWith(".class")).count())
                        .as(module + " sources: no classes").isZero();
            }
        }
    }

    /** Every artifact file of the repository, whatever its group, without the repository's own bookkeeping. */
    static Set<Coordinates> installed() throws IOException {
        Set<Coordinates> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(RELEASE_REPO)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("maven-metadata") || name.equals("_remote.repositories")
                        || name.equals("resolver-status.properties") || name.endsWith(".lastUpdated")
                        || name.matches(".*\\.(md5|sha1|sha256|sha512|asc)$")) {
                    continue;
                }
                Path versionDir = f.getParent();
                String version = versionDir.getFileName().toString();
                String artifactId = versionDir.getParent().getFileName().toString();
                String groupId = RELEASE_REPO.relativize(versionDir.getParent().getParent()).toString().replace('/', '.');
                String prefix = artifactId + "-" + version;
                assertThat(name).as("a file of the repository: " + f).startsWith(prefix);
                assertThat(version).as("the version of " + f).isEqualTo(VERSION);
                String rest = name.substring(prefix.length());
                int dot = rest.indexOf('.');
                String classifier = rest.substring(0, dot).replaceFirst("^-", "");
                found.add(new Coordinates(groupId, artifactId, rest.substring(dot + 1), classifier));
            }
        }
        return found;
    }

    @Test
    @Order(2)
    void everyPomHasWhatCentralRequires() throws Exception {
        Element parent = pom("tracepoint-parent");
        Element bom = pom("tracepoint-bom");
        Map<String, String> parentMetadata = inheritable(parent);
        assertThat(parentMetadata.keySet()).containsExactly("url", "licenses", "developers", "scm", "issueManagement");
        assertThat(parentMetadata.get("licenses")).contains("Apache License, Version 2.0", "https://www.apache.org/licenses/LICENSE-2.0.txt");
        // the modules inherit the parent's url and scm as they are (no artifactId appended)
        assertThat(parent.getAttribute("child.project.url.inherit.append.path")).isEqualTo("false");
        Element scm = child(parent, "scm");
        for (String a : List.of("connection", "developerConnection", "url")) {
            assertThat(scm.getAttribute("child.scm." + a + ".inherit.append.path")).as("scm " + a).isEqualTo("false");
            assertThat(text(scm, a)).as("scm " + a).isNotBlank();
        }
        assertThat(inheritable(bom)).as("the BOM repeats the parent's metadata").isEqualTo(parentMetadata);

        List<String> all = new ArrayList<>(List.of("tracepoint-parent", "tracepoint-bom"));
        all.addAll(MODULES);
        for (String artifactId : all) {
            Element p = pom(artifactId);
            assertThat(text(p, "name")).as(artifactId + " name").isNotBlank();
            assertThat(text(p, "description")).as(artifactId + " description").isNotBlank();
            // a module declares none of it, so what it has is the parent's (inherited as it is, see above)
            if (MODULES.contains(artifactId)) {
                assertThat(inheritable(p)).as(artifactId + " declares no metadata of its own").isEmpty();
                Element ref = child(p, "parent");
                assertThat(ref).as(artifactId + " parent").isNotNull();
                assertThat(text(ref, "groupId") + ":" + text(ref, "artifactId") + ":" + text(ref, "version"))
                        .isEqualTo(GROUP + ":tracepoint-parent:" + VERSION);
            }
        }
    }

    @Test
    @Order(3)
    void theBomManagesTheThreeModulesAndNothingElse() throws Exception {
        Element bom = pom("tracepoint-bom");
        assertThat(child(bom, "parent")).as("the BOM has no parent (whose dependencyManagement it would inherit)").isNull();
        assertThat(text(bom, "packaging")).isEqualTo("pom");
        assertThat(text(bom, "version")).isEqualTo(VERSION);
        assertThat(child(bom, "dependencies")).isNull();
        List<String> managed = new ArrayList<>();
        for (Element d : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            String version = text(d, "version");
            assertThat(version).isIn("${project.version}", VERSION);
            assertThat(text(d, "scope") + text(d, "type") + text(d, "classifier")).as("a plain dependency").isEmpty();
            managed.add(text(d, "groupId") + ":" + text(d, "artifactId"));
        }
        assertThat(managed).containsExactlyElementsOf(MODULES.stream().map(m -> GROUP + ":" + m).toList());
    }

    @Test
    @Order(4)
    void aConsumerOnTheClassPathBuildsAndRuns() throws Exception {
        Path project = build("consumer-classpath");
        Path jar = project.resolve("target/consumer-classpath.jar");
        run("consumer-classpath", project, "--enable-native-access=ALL-UNNAMED",
                "-cp", jar + ":" + project.resolve("target/lib") + "/*", "example.classpath.Main");
    }

    @Test
    @Order(5)
    void aConsumerOnTheModulePathBuildsAndRuns() throws Exception {
        Path project = build("consumer-modulepath");
        Path jar = project.resolve("target/consumer-modulepath.jar");
        run("consumer-modulepath", project, "--enable-native-access=dev.tracepoint.core",
                "-p", jar + ":" + project.resolve("target/lib"), "-m", "example.consumer.modulepath/example.modulepath.Main");
    }

    // ---- consumers ---------------------------------------------------------------------------------------

    /**
     * Copies {@code src/it/NAME} to {@code target/consumers/NAME} and builds it with this build's Maven, against
     * the release check's repository (declared in its pom, its address given on the command line): then checks
     * it resolved the three modules, byte for byte the published ones, and nothing else.
     */
    static Path build(String name) throws Exception {
        Path project = WORK.resolve(name);
        deleteTree(project);
        copyTree(CONSUMERS.resolve(name), project);
        Files.createDirectories(project.resolve(".mvn")); // its own root: not the repository's .mvn above it
        List<String> cmd = new ArrayList<>(List.of(Path.of(property("maven.home"), "bin", "mvn").toString(),
                "-B", "-ntp", "-Dstyle.color=never", "-s", consumerSettings().toString(),
                "-Dtracepoint.version=" + VERSION, "-Dtracepoint.repository=" + RELEASE_REPO.toUri(), "package"));
        if (System.getProperty("tracepoint.maven.session", "").contains("offline=true")) { // this build runs with -o
            cmd.addAll(List.of("-o", "-Daether.offline.protocols=file")); // both repositories are file ones
        }
        Path log = WORK.resolve(name + "-mvn.log");
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process mvn = pb.start();
        boolean done = mvn.waitFor(300, TimeUnit.SECONDS);
        if (!done) {
            mvn.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(done && mvn.exitValue() == 0).as(name + ": mvn package failed (" + log + "):\n" + tail(out, 60)).isTrue();
        System.out.printf("release-check: %s built in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);

        Map<String, String> lib = new TreeMap<>();
        try (Stream<Path> jars = Files.list(project.resolve("target/lib"))) {
            for (Path j : jars.toList()) {
                lib.put(j.getFileName().toString(), sha256(j));
            }
        }
        Map<String, String> published = new TreeMap<>();
        for (String m : MODULES) {
            published.put(m + "-" + VERSION + ".jar", sha256(new Coordinates(GROUP, m, "jar", "").path(RELEASE_REPO)));
        }
        assertThat(lib).as(name + ": its run time dependencies are the published jars, and only those").isEqualTo(published);
        return project;
    }

    /**
     * The consumers' Maven settings, written once per run: a local repository of their own under
     * {@code target/consumers}, emptied first, with the user's local repository as a read-only remote one for
     * released artifacts (the plugins: taken from there, or downloaded into the private one when missing;
     * nothing is written into the user's).
     * Sharing the user's local repository instead would not do: it keeps a snapshot downloaded from a
     * repository without snapshot metadata (an installed one, like this) and serves that copy again to later
     * builds, and it prefers a copy the user installed.
     */
    static synchronized Path consumerSettings() throws IOException {
        Path settings = WORK.resolve("settings.xml");
        Path local = WORK.resolve("local-repo");
        if (!settingsWritten) {
            deleteTree(local);
            Files.createDirectories(local);
            String cache = Path.of(property("tracepoint.maven.repo.local")).toUri().toString();
            String repository = """
                        <id>user-local-repository</id>
                        <url>%s</url>
                        <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
                        <snapshots><enabled>false</enabled></snapshots>
                    """.formatted(cache);
            Files.writeString(settings, """
                    <settings>
                      <localRepository>%s</localRepository>
                      <profiles>
                        <profile>
                          <id>user-local-repository</id>
                          <repositories><repository>
                    %s      </repository></repositories>
                          <pluginRepositories><pluginRepository>
                    %s      </pluginRepository></pluginRepositories>
                        </profile>
                      </profiles>
                      <activeProfiles><activeProfile>user-local-repository</activeProfile></activeProfiles>
                    </settings>
                    """.formatted(local, repository, repository));
            settingsWritten = true;
        }
        return settings;
    }

    static boolean settingsWritten;

    /** Runs the consumer's program with this JDK; it must exit 0 and say what it received. */
    static void run(String name, Path project, String... args) throws Exception {
        requireKernel();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(args));
        Path log = WORK.resolve(name + "-run.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(done && p.exitValue() == 0).as(name + " failed: " + String.join(" ", cmd) + "\n" + out).isTrue();
        assertThat(out).contains(name + ": received SIGTERM from ");
        System.out.printf("release-check: %s ran in %.1f s: %s%n", name, (System.nanoTime() - t0) / 1e9, out.strip());
    }

    /** The consumers open real tracepoints: skipped without root and tracefs, except in CI, where that fails. */
    static void requireKernel() {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean ready = Files.isDirectory(Path.of("/sys/kernel/tracing/events")) && "root".equals(System.getProperty("user.name"));
        if (ci) {
            assertThat(ready).as("CI runs the consumer programs as root with tracefs mounted").isTrue();
        } else {
            assumeTrue(ready, "running the consumers needs root and tracefs; skipped outside CI (they were built)");
        }
    }

    // ---- POMs --------------------------------------------------------------------------------------------

    static Element pom(String artifactId) throws Exception {
        Path file = new Coordinates(GROUP, artifactId, "pom", "").path(RELEASE_REPO);
        assertThat(file).as("the published pom of " + artifactId).isRegularFile();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        return doc.getDocumentElement();
    }

    /** The metadata a module inherits, as declared here: element name to its normalized text. */
    static Map<String, String> inheritable(Element project) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String e : List.of("url", "licenses", "developers", "scm", "issueManagement")) {
            Element c = child(project, e);
            if (c != null) {
                m.put(e, c.getTextContent().replaceAll("\\s+", " ").strip());
            }
        }
        return m;
    }

    static Element child(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    static String text(Element parent, String name) {
        Element c = child(parent, name);
        return c == null ? "" : c.getTextContent().strip();
    }

    // ---- files -------------------------------------------------------------------------------------------

    static String property(String name) {
        String v = System.getProperty(name);
        assertThat(v).as("system property " + name + " (set by the benchmarks pom's release-check execution)").isNotBlank();
        return v;
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
