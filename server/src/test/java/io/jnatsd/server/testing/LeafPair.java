package io.jnatsd.server.testing;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;

/**
 * A hub and a leaf node connected to it, each jnatsd or upstream, with monitoring: the hub
 * listens for leaf nodes on a free port, the leaf has one remote to it. {@code hubConfig} and
 * {@code remoteConfig} add to the hub's config and to the leaf's remote entry.
 */
public final class LeafPair implements AutoCloseable {
    public final TestServer hub;
    public final TestServer leaf;
    public final int leafPort;

    private LeafPair(TestServer hub, TestServer leaf, int leafPort) {
        this.hub = hub;
        this.leaf = leaf;
        this.leafPort = leafPort;
    }

    public static LeafPair start(Impl hubImpl, Impl leafImpl) throws Exception {
        return start(hubImpl, leafImpl, "", "", "", "");
    }

    /**
     * {@code leafnodesExtra} goes into the hub's {@code leafnodes} block, {@code userInfo} into the
     * remote URL ({@code user:pass@}) or is empty, {@code remoteConfig} into the remote entry.
     */
    public static LeafPair start(Impl hubImpl, Impl leafImpl, String hubConfig, String leafnodesExtra, String userInfo,
                                 String remoteConfig) throws Exception {
        return start(hubImpl, leafImpl, hubConfig, leafnodesExtra, userInfo, remoteConfig, "");
    }

    /** As above, with {@code leafExtra} added to the leaf's config. */
    public static LeafPair start(Impl hubImpl, Impl leafImpl, String hubConfig, String leafnodesExtra, String userInfo,
                                 String remoteConfig, String leafExtra) throws Exception {
        int leafPort = TestServer.freePort();
        TestServer hub = hubWithLeafPort(hubImpl, leafPort, hubConfig, leafnodesExtra);
        TestServer leaf;
        try {
            leaf = TestServer.startMonitored(leafImpl, leafConfig(leafPort, userInfo, remoteConfig, leafExtra), null);
        } catch (Exception e) {
            hub.close();
            throw e;
        }
        return new LeafPair(hub, leaf, leafPort);
    }

    /** A hub whose leaf node listener is on {@code leafPort}. */
    public static TestServer hubWithLeafPort(Impl impl, int leafPort, String config, String leafnodesExtra) throws Exception {
        return TestServer.startMonitored(impl, "leafnodes { listen: \"127.0.0.1:" + leafPort + "\"\n" + leafnodesExtra + "}\n"
                + config, null);
    }

    /** A config with one remote to the leaf node port {@code hubLeafPort}. */
    public static String leafConfig(int hubLeafPort, String userInfo, String remoteConfig, String config) {
        return config + "\nleafnodes { reconnect: 1\n remotes: [ { url: \"nats-leaf://" + userInfo + "127.0.0.1:" + hubLeafPort
                + "\"\n" + remoteConfig + " } ] }\n";
    }

    public Connection hubClient() throws Exception {
        return connect(hub, null);
    }

    public Connection leafClient() throws Exception {
        return connect(leaf, null);
    }

    public static Connection connect(TestServer s, String userPass) throws Exception {
        Options.Builder b = new Options.Builder().server(s.url()).connectionTimeout(Duration.ofSeconds(5))
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(100));
        if (userPass != null) {
            int colon = userPass.indexOf(':');
            b.userInfo(userPass.substring(0, colon), userPass.substring(colon + 1));
        }
        return Nats.connect(b.build());
    }

    @Override
    public void close() throws Exception {
        try {
            leaf.close();
        } finally {
            hub.close();
        }
    }
}
