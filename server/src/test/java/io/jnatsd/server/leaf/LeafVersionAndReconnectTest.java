package io.jnatsd.server.leaf;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.LeafPair;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hub's {@code leafnodes.min_version} (upstream 2.9.10: a leaf of an older version gets the
 * INFO, then -ERR, and is closed after 5 s; the config wants a version of at least 2.8.0), and
 * a remote's {@code reconnect} interval: a fixed pause between dials, 1 s by default, with no
 * backoff however long the hub was away. Each against jnatsd and upstream.
 */
class LeafVersionAndReconnectTest {
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aLeafOlderThanMinVersionIsToldSoAfterItsInfo(Impl impl) throws Exception {
        int leafPort = TestServer.freePort();
        try (TestServer hub = LeafPair.hubWithLeafPort(impl, leafPort, "", "min_version: \"2.9.11\"\n");
             RawClient raw = new RawClient(leafPort)) {
            raw.send("CONNECT {\"version\":\"2.9.10\",\"server_id\":\"NOLD\",\"name\":\"old\",\"headers\":true}\r\n");
            String info = raw.readLine();
            assertTrue(info.startsWith("INFO {") && info.contains("\"connect_info\":true"), info);
            assertEquals("-ERR 'connection rejected since minimum version required is \"2.9.11\"'", raw.readLine());
            assertFalse(raw.closedWithin(1000), "held open for a while, as upstream waits before closing");
        }
    }

    /** A leaf of the minimum version or newer is served; an older one never registers, but keeps trying. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void minVersionLetsNewEnoughLeafsIn(Impl hubImpl) throws Exception {
        try (LeafPair p = LeafPair.start(hubImpl, Impl.JNATSD, "", "min_version: 2.9.0\n", "", "");
             Connection hub = p.hubClient(); Connection leaf = p.leafClient()) {
            awaitInterest(hub, leaf);
            awaitInterest(leaf, hub);
        }
    }

    /**
     * The hub is away for several reconnect intervals; once it is back the leaf is connected
     * within about one interval (1 s by default), as upstream dials at a fixed pace.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void theLeafRedialsAtItsReconnectIntervalWithoutBackoff(Impl leafImpl) throws Exception {
        int leafPort = TestServer.freePort();
        String leafConf = "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:" + leafPort + "\" } ] }\n";
        try (TestServer leaf = TestServer.startMonitored(leafImpl, leafConf, null)) {
            long downSince = System.nanoTime();
            TestServer.await(10_000, () -> System.nanoTime() - downSince > Duration.ofMillis(3500).toNanos()
                    && leafCount(leaf) == 0);
            long back = System.nanoTime();
            try (TestServer hub = LeafPair.hubWithLeafPort(Impl.JNATSD, leafPort, "", "")) {
                TestServer.await(10_000, () -> leafCount(leaf) == 1);
                long millis = (System.nanoTime() - back) / 1_000_000;
                assertTrue(millis < 2500, "rejoined " + millis + " ms after the hub returned");
            }
        }
    }

    private static int leafCount(TestServer s) {
        try {
            return new MonitorHttp(s).json("/leafz").path("leafnodes").asInt(-1);
        } catch (Exception e) {
            return -1;
        }
    }
}
