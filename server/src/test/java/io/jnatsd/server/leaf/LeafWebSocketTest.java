package io.jnatsd.server.leaf;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.LeafPair;
import io.jnatsd.server.testing.TestCerts;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A leaf node whose remote is the hub's WebSocket listener ({@code ws://}), as upstream 2.9.10
 * supports: the leaf upgrades on {@code /leafnode}, then speaks the leaf protocol in frames,
 * and interest and messages cross both ways. Every mix of jnatsd and upstream as hub and leaf.
 */
class LeafWebSocketTest {
    static Stream<Arguments> mixes() {
        return LeafNodeInteropTest.mixes();
    }

    @ParameterizedTest
    @MethodSource("mixes")
    void aLeafConnectsToTheHubsWebSocketPort(Impl hubImpl, Impl leafImpl) throws Exception {
        int leafPort = TestServer.freePort();
        int wsPort = TestServer.freePort();
        String hubConf = "websocket { listen: \"127.0.0.1:" + wsPort + "\", no_tls: true }\n";
        String leafConf = "leafnodes { reconnect: 1, remotes: [ { url: \"ws://127.0.0.1:" + wsPort + "\" } ] }\n";
        try (TestServer hub = LeafPair.hubWithLeafPort(hubImpl, leafPort, hubConf, "");
             TestServer leaf = TestServer.startMonitored(leafImpl, leafConf, null);
             Connection h = LeafPair.connect(hub, null);
             Connection l = LeafPair.connect(leaf, null)) {
            awaitInterest(h, l);
            awaitInterest(l, h);
        }
    }

    /** With {@code ws_compression} the frames are deflated, and everything crosses as before. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aCompressedWebSocketLeafConnection(Impl hubImpl, Impl leafImpl) throws Exception {
        int leafPort = TestServer.freePort();
        int wsPort = TestServer.freePort();
        String hubConf = "websocket { listen: \"127.0.0.1:" + wsPort + "\", no_tls: true, compression: true }\n";
        String leafConf = "leafnodes { reconnect: 1, remotes: [ { url: \"ws://127.0.0.1:" + wsPort
                + "\", ws_compression: true } ] }\n";
        try (TestServer hub = LeafPair.hubWithLeafPort(hubImpl, leafPort, hubConf, "");
             TestServer leaf = TestServer.startMonitored(leafImpl, leafConf, null);
             Connection h = LeafPair.connect(hub, null);
             Connection l = LeafPair.connect(leaf, null)) {
            awaitInterest(h, l);
            awaitInterest(l, h);
        }
    }

    /** {@code wss://}: TLS first (the remote's {@code tls} block trusts the hub's CA), then the upgrade. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aLeafConnectsOverSecureWebSocket(Impl hubImpl, Impl leafImpl) throws Exception {
        TestCerts certs = TestCerts.get();
        int leafPort = TestServer.freePort();
        int wsPort = TestServer.freePort();
        String hubConf = "websocket { listen: \"127.0.0.1:" + wsPort + "\"\n"
                + "tls { cert_file: \"" + certs.serverCert + "\", key_file: \"" + certs.serverKey + "\" } }\n";
        String leafConf = "leafnodes { reconnect: 1, remotes: [ { url: \"wss://127.0.0.1:" + wsPort
                + "\", tls: { ca_file: \"" + certs.caCert + "\" } } ] }\n";
        try (TestServer hub = LeafPair.hubWithLeafPort(hubImpl, leafPort, hubConf, "");
             TestServer leaf = TestServer.startMonitored(leafImpl, leafConf, null);
             Connection h = LeafPair.connect(hub, null);
             Connection l = LeafPair.connect(leaf, null)) {
            awaitInterest(h, l);
            awaitInterest(l, h);
        }
    }
}
