package io.jnatsd.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person downloads: the archives hold the release layout, and the unpacked launcher runs a server. */
class DistributionTest {
    private static final String VERSION = System.getProperty("jnatsd.version");
    private static final Path ARCHIVES = Path.of(System.getProperty("jnatsd.archive.dir"));
    private static final List<String> LAYOUT = List.of("LICENSE", "README.md", "THIRD-PARTY.md", "bin/jdk", "bin/jnatsd",
            "docs/jnatsd.service", "lib/jnatsd.jar");

    @TempDir
    static Path unpacked;
    private static Path home;

    @BeforeAll
    static void unpackTheTarball() throws Exception {
        Path tgz = ARCHIVES.resolve("jnatsd-" + VERSION + ".tar.gz");
        assertTrue(Files.isRegularFile(tgz), tgz.toString());
        Process tar = new ProcessBuilder("tar", "-xzf", tgz.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor());
        home = unpacked.resolve("jnatsd-" + VERSION);
    }

    @Test
    void theTarballHasTheReleaseLayoutWithRunnableScripts() throws IOException {
        for (String f : LAYOUT) assertTrue(Files.isRegularFile(home.resolve(f)), f);
        for (String f : List.of("bin/jnatsd", "bin/jdk")) {
            assertTrue(Files.getPosixFilePermissions(home.resolve(f)).contains(PosixFilePermission.OWNER_EXECUTE), f);
        }
    }

    @Test
    void theZipHasTheSameFiles() throws IOException {
        Set<String> entries = new TreeSet<>();
        try (ZipFile zip = new ZipFile(ARCHIVES.resolve("jnatsd-" + VERSION + ".zip").toFile())) {
            zip.stream().filter(e -> !e.isDirectory()).forEach(e -> entries.add(e.getName()));
        }
        Set<String> expected = new TreeSet<>();
        for (String f : LAYOUT) expected.add("jnatsd-" + VERSION + "/" + f);
        assertEquals(expected, entries);
    }

    @Test
    void theUnpackedLauncherPrintsItsVersionAndRunsAServer() throws Exception {
        Process version = new ProcessBuilder(home.resolve("bin/jnatsd").toString(), "--version").redirectErrorStream(true).start();
        assertTrue(version.waitFor(120, TimeUnit.SECONDS));
        String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, version.exitValue(), out);
        assertTrue(out.contains("jnatsd: v" + VERSION), out);
        assertTrue(!out.contains("building"), "a release never builds: " + out);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder(home.resolve("bin/jnatsd").toString(), "-a", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(unpacked.resolve("server.log").toFile()).start();
        try {
            Connection nc = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (nc == null) {
                try {
                    nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port).noReconnect().build());
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !server.isAlive()) throw e;
                    Thread.sleep(100);
                }
            }
            try (Connection c = nc) {
                Subscription sub = c.subscribe("release");
                c.publish("release", new byte[] {1});
                assertNotNull(sub.nextMessage(Duration.ofSeconds(5)));
            }
        } finally {
            server.destroy(); // SIGTERM: a clean stop
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server stops on SIGTERM");
        }
        String log = Files.readString(unpacked.resolve("server.log"));
        assertTrue(log.contains("Server is ready") && log.contains("Server Exiting"), log);
    }
}
