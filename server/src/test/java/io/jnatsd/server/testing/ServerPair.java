package io.jnatsd.server.testing;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * jnatsd and, when installed, upstream nats-server, started from the same config for a whole
 * test class; {@link #get} skips the calling test for upstream when it is not installed.
 */
public final class ServerPair implements AutoCloseable {
    private final Map<Impl, TestServer> servers = new EnumMap<>(Impl.class);

    public static ServerPair start(String config) throws Exception {
        ServerPair p = new ServerPair();
        p.servers.put(Impl.JNATSD, TestServer.start(Impl.JNATSD, config));
        if (TestServer.upstreamBinary() != null) p.servers.put(Impl.UPSTREAM, TestServer.start(Impl.UPSTREAM, config));
        return p;
    }

    public TestServer get(Impl impl) {
        TestServer s = servers.get(impl);
        Assumptions.assumeTrue(s != null, "upstream nats-server is not installed");
        return s;
    }

    @Override
    public void close() throws Exception {
        for (TestServer s : servers.values()) s.close();
    }
}
