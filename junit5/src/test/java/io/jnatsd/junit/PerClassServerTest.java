package io.jnatsd.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** One server for the class: every test sees the same one, through parameters and fields alike. */
@Jnatsd(config = "max_payload: 2MB")
class PerClassServerTest {
    private static NatsServer seen;

    @JnatsdUrl
    String url;

    NatsServer server;

    @Test
    void theUrlReachesTheServer(@JnatsdUrl String paramUrl) throws Exception {
        assertEquals(url, paramUrl);
        try (Connection nc = Nats.connect(paramUrl)) {
            Subscription sub = nc.subscribe("hello");
            nc.publish("hello", new byte[] {1});
            assertNotNull(sub.nextMessage(Duration.ofSeconds(2)));
            assertEquals(2 * 1024 * 1024, nc.getServerInfo().getMaxPayload(), "the config text applies");
        }
        remember(server);
    }

    @Test
    void theSecondTestGetsTheSameServer(NatsServer s) {
        assertTrue(s.isRunning());
        assertEquals(server, s);
        remember(s);
    }

    private static synchronized void remember(NatsServer s) {
        if (seen == null) seen = s;
        assertEquals(seen, s, "one server for the class");
    }

    @AfterAll
    static void stillRunningUntilTheClassEnds() {
        assertTrue(seen.isRunning());
    }
}
