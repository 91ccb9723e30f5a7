package io.jnatsd.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.NatsServer;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The memory probe of compare.sh, on a few connections and subscriptions of an embedded server. */
class ResourceProbeTest {
    @Test
    void measuresAnEmbeddedServer() throws Exception {
        try (NatsServer server = NatsServer.builder().port(0).start()) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port());
            long pid = ProcessHandle.current().pid();
            String conns = ResourceProbe.idleConnections(addr, pid, 20, 0);
            assertTrue(conns.contains("\"count\":20"), conns);
            String subs = ResourceProbe.subscriptions(addr, pid, 500, 0);
            assertTrue(subs.contains("\"count\":500"), subs);
        }
    }

    @Test
    void readsResidentMemory() throws Exception {
        assertTrue(ResourceProbe.rssKb(ProcessHandle.current().pid()) > 0);
    }
}
