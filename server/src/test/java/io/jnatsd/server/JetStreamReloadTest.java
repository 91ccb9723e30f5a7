package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Accounts' JetStream settings on reload, as upstream's: new limits taken, a newly enabled account served. */
class JetStreamReloadTest {
    @TempDir
    Path dir;

    private static String conf(Path store, int maxStreams, String b) {
        return "jetstream { store_dir: \"" + store + "\" }\n"
                + "accounts {\n"
                + "  A: { jetstream: { max_streams: " + maxStreams + " }, users: [{user: a, password: a}] }\n"
                + "  B: { " + b + " users: [{user: b, password: b}] }\n"
                + "}\n";
    }

    private static Connection connect(TestServer s, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).userInfo(user, user)
                .connectionTimeout(java.time.Duration.ofSeconds(10)).build());
    }

    private static StreamConfiguration stream(String name) {
        return StreamConfiguration.builder().name(name).subjects(name.toLowerCase()).build();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountLimitsAndNewlyEnabledAccountsAreTaken(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve(impl.name().toLowerCase()));
        try (TestServer s = TestServer.start(impl, conf(store, 1, ""))) {
            try (Connection a = connect(s, "a")) {
                JetStreamManagement jsm = a.jetStreamManagement();
                jsm.addStream(stream("S1"));
                assertEquals(10027, assertThrows(JetStreamApiException.class, () -> jsm.addStream(stream("S2")))
                        .getApiErrorCode());
            }
            assertNull(s.reload(conf(store, 2, "jetstream: enabled,")));
            try (Connection a = connect(s, "a"); Connection b = connect(s, "b")) {
                a.jetStreamManagement().addStream(stream("S2"));
                b.jetStreamManagement().addStream(stream("B1"));
                assertEquals(1, b.jetStreamManagement().getStreamNames().size());
            }
        }
    }
}
