package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.conf.ConfParser;
import io.jnatsd.server.NatsServer;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Options that are each valid but not together: both servers refuse to start, with upstream's
 * words (each config is also given to upstream nats-server when installed).
 */
class CrossFieldRulesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            max_payload: 8MB\\nmax_pending: 1MB | max_payload (8388608) cannot be higher than max_pending (1048576)
            max_payload: 2000\\nmax_pending: 1999 | max_payload (2000) cannot be higher than max_pending (1999)
            lame_duck_duration: 30s\\nlame_duck_grace_period: 40s | lame duck grace period (40s) should be strictly lower than lame duck duration (30s)
            lame_duck_duration: "1m"\\nlame_duck_grace_period: "60s" | lame duck grace period (1m0s) should be strictly lower than lame duck duration (1m0s)
            jetstream { domain: "a.b" } | invalid domain name: may not contain ., * or >
            jetstream { domain: "a b" } | invalid domain name: derived "$JS.a b.API.>" is not a valid subject
            jetstream: enabled\\ncluster { port: -1, name: c } | jetstream cluster requires `server_name` to be set
            jetstream: enabled\\nserver_name: s1\\ncluster { port: -1 } | jetstream cluster requires `cluster.name` to be set
            """)
    void refusedAsUpstreamRefusesIt(String config, String expected) throws Exception {
        String text = config.replace("\\n", "\n") + "\n";
        String ours = jnatsdError(text);
        assertEquals(expected, ours);
        String theirs = upstreamError(text);
        if (theirs != null) assertTrue(theirs.contains(expected), "upstream said: [" + theirs + "]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            max_payload: 8MB\\nmax_pending: 8MB
            lame_duck_duration: 30s\\nlame_duck_grace_period: 29s
            jetstream { domain: "hub" }
            """)
    void acceptedWhenTheFieldsAgree(String config) throws Exception {
        Path dir = Files.createTempDirectory("jnatsd-rules");
        String text = config.replace("\\n", "\n").replace("{ domain", "{ store_dir: \"" + dir + "\", domain") + "\n";
        ServerOptions o = options(text);
        new NatsServer(o, ServerLog.silent()).close();
    }

    private static ServerOptions options(String text) throws Exception {
        ServerOptions o = new ServerOptions();
        ConfigLoader.apply(ConfParser.parse(text, null, "t.conf"), o);
        o.host = "127.0.0.1";
        o.port = 0;
        return o;
    }

    private static String jnatsdError(String text) throws Exception {
        ServerOptions o = options(text);
        return assertThrows(IllegalArgumentException.class, () -> new NatsServer(o, ServerLog.silent()).close()).getMessage();
    }

    /** Upstream's complaint (its output when it refuses to start), or null when it is not installed. */
    private static String upstreamError(String text) throws Exception {
        String bin = TestServer.upstreamBinary();
        if (bin == null) return null;
        Path dir = Files.createTempDirectory("jnatsd-conf");
        Path conf = dir.resolve("t.conf");
        Files.writeString(conf, "listen: \"127.0.0.1:" + TestServer.freePort() + "\"\n" + text.replace("jetstream: enabled",
                "jetstream { store_dir: \"" + dir + "\" }"));
        Process p = new ProcessBuilder(bin, "-c", conf.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroy();
            p.waitFor();
            return "(started)";
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
