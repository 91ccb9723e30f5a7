package io.jnatsd.server.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Debian mosquitto command-line clients against both servers; skipped when they are not installed. */
class MosquittoClientsTest {
    @TempDir
    Path dir;

    private static String binary(String name) {
        for (String d : List.of("/usr/bin", "/usr/local/bin")) {
            File f = new File(d, name);
            if (f.canExecute()) return f.getPath();
        }
        return null;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "mosquitto_pub did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void retainedThenLiveMessagesAtQos1(Impl impl) throws Exception {
        String pub = binary("mosquitto_pub");
        String sub = binary("mosquitto_sub");
        Assumptions.assumeTrue(pub != null && sub != null, "mosquitto-clients is not installed");
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            String port = String.valueOf(f.mqttPort);
            run(pub, "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-q", "1", "-r", "-t", "home/temp", "-m", "21");
            Process s = new ProcessBuilder(sub, "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-q", "1", "-v",
                    "-t", "home/#", "-C", "2", "-W", "10").redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                assertEquals("home/temp 21", r.readLine(), "the retained message on subscribing");
                run(pub, "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-q", "1", "-t", "home/hum", "-m", "40");
                assertEquals("home/hum 40", r.readLine(), "a live message");
            } finally {
                assertTrue(s.waitFor(10, TimeUnit.SECONDS));
                s.destroy();
            }
        }
    }
}
