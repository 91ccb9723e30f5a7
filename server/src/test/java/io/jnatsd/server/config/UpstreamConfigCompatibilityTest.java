package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jnatsd.server.config.ParsedCommandLine.Action;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential check against the upstream binary ({@code nats-server -t -c file}): the same files are accepted or
 * rejected, and errors that upstream locates as file:line:column are on the same line.
 * Skipped when {@code nats-server} is not installed.
 */
class UpstreamConfigCompatibilityTest {
    private static final Path UPSTREAM = findUpstream();
    private static final Pattern LOCATED = Pattern.compile(":(\\d+):(\\d+): ");

    @TempDir
    static Path dir;

    /** $NATS_SERVER_BIN, else nats-server on the PATH or in the usual places; {@code null} when absent. */
    static Path findUpstream() {
        String explicit = System.getenv("NATS_SERVER_BIN");
        if (explicit != null && !explicit.isEmpty()) return Path.of(explicit);
        java.util.List<String> dirs = new java.util.ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(java.util.Arrays.asList(path.split(java.io.File.pathSeparator)));
        dirs.addAll(java.util.List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path candidate = Path.of(d, "nats-server");
            if (Files.isExecutable(candidate)) return candidate;
        }
        return null;
    }

    @BeforeAll
    static void includes() throws IOException {
        Files.writeString(dir.resolve("inc.conf"), "max_payload: 2MB\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // accepted
            "port: 4222\nserver_name: n1\nmax_payload: 1MB\nping_interval: \"2m\"\nwrite_deadline: 10s\n",
            "listen = 127.0.0.1:4333; debug = true, trace: off\nlogtime yes\n",
            "# comment\n// comment\nhttp: 8222\nmax_connections: 0\nmax_pending: 100MB\n",
            "{\n  \"port\": 4222,\n  \"cluster\": { \"name\": \"c\", \"listen\": \"0.0.0.0:6222\" }\n}\n",
            "include ./inc.conf\nport: 4223\n",
            "LIMIT: 5MB\nmax_payload: $LIMIT\n",
            "authorization {\n  user: a\n  password: $2a$11$PWIFAL8RsWyGI3jVZtO9Nu8.6jOxzxfZo7c/W0eLk017hjgUKWrhy\n  timeout: 2\n}\n",
            "jetstream {\n  store_dir: /tmp/x\n  max_mem: 1G\n  max_file: 10G\n}\n",
            "cluster {\n  name: c\n  listen: 0.0.0.0:6222\n  routes = [\n    nats://a:6222\n    nats://b:6222\n  ]\n}\n",
            "lame_duck_duration: \"45s\"\nlame_duck_grace_period: \"5s\"\npid_file: /tmp/p.pid\n",
            "accounts { A { users: [ {user: x, password: y} ] } }\nsystem_account: A\n",
            "pass = (\nsecret\n)\nauthorization { user: u, password: $pass }\n",
            // rejected
            "port: 4222\nfoo: 1\n",
            "port: 4222\n  bar { x: 1 }\n",
            "port: 4222\nping_interval: 5\n",
            "port: 4222\nwrite_deadline: \"2x\"\n",
            "port: \"abc\"\n",
            "port: 1\nlisten: \"1.2.3.4\"\n",
            "port: 1\nmax_payload: 3GB\n",
            "port: 1\nlame_duck_duration: \"10s\"\n",
            "port: 1\nfoo = [1, 2 3]\n",
            "port: 1\nfoo: \"a\\qb\"\n",
            "port: $NOPE_NOT_SET_ANYWHERE\n",
            "port: 1 x\n",
            "store_dir: /a\njetstream { store_dir: /b }\n",
            "authorization { user: a, password: b, token: c }\n",
            "cluster {\n  name: c\n  bogus: 1\n}\n",
    })
    void sameVerdictAsUpstream(String text) throws Exception {
        assumeTrue(UPSTREAM != null, "nats-server not installed");
        Path f = Files.createTempFile(dir, "case", ".conf");
        Files.writeString(f, text);

        ProcessBuilder pb = new ProcessBuilder(UPSTREAM.toString(), "-t", "-c", f.toString()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nats-server -t did not finish");
        }
        boolean upstreamOk = p.exitValue() == 0;

        ParsedCommandLine ours = ServerCommandLine.parse("-t", "-c", f.toString());
        boolean oursOk = ours.action() == Action.TEST_CONFIG;
        assertEquals(upstreamOk, oursOk, "upstream said: " + out + "\nwe said: " + ours.error());

        // Which of two duplicate settings upstream reports depends on Go's random map order,
        // so only the verdict is compared for those.
        if (!upstreamOk && !out.contains("Duplicate")) {
            Matcher m = LOCATED.matcher(out);
            if (m.find()) {
                Matcher mine = LOCATED.matcher(ours.error());
                assertEquals(true, mine.find(), ours.error());
                // Upstream walks a map in Go's random order: with two conflicting keys either may be
                // the one it reports, so give it a few more runs to name the same one as we do.
                for (int i = 0; i < 20 && !m.group(1).equals(mine.group(1)); i++) {
                    Process again = new ProcessBuilder(UPSTREAM.toString(), "-t", "-c", f.toString()).redirectErrorStream(true).start();
                    String o2 = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    again.waitFor(10, TimeUnit.SECONDS);
                    Matcher m2 = LOCATED.matcher(o2);
                    if (m2.find()) {
                        m = m2;
                        out = o2;
                    }
                }
                assertEquals(m.group(1), mine.group(1), "line; upstream said: " + out + "\nwe said: " + ours.error());
                if (!m.group(1).equals("1")) {
                    // upstream's columns are 1-based except on the first line
                    assertEquals(m.group(2), mine.group(2), "column; upstream: " + out + "\nwe said: " + ours.error());
                }
            }
        }
    }
}
