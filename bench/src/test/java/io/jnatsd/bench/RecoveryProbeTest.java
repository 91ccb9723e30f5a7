package io.jnatsd.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.NatsServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The recovery benchmark's probe on an embedded server: fill a stream, then see it complete. */
@Timeout(60)
class RecoveryProbeTest {
    @Test
    void fillsAStreamAndSeesItsFullState() throws Exception {
        String store = Files.createTempDirectory("jnatsd-bench-recovery").toString();
        try (NatsServer server = NatsServer.builder().port(0).options(o -> {
            o.jetstream = true;
            o.storeDir = store;
        }).start()) {
            String fill = RecoveryProbe.fill(server.clientUrl(), "REC", 2_000, 16);
            assertTrue(fill.contains("\"messages\":2000"), fill);
            StreamInfoPoller poller = new StreamInfoPoller(new InetSocketAddress("127.0.0.1", server.port()), "REC");
            long deadline = System.nanoTime() + 10_000_000_000L;
            StreamInfoPoller.Times t = poller.await(2_000, deadline, () -> true);
            assertTrue(t.readyNanos() >= t.acceptedNanos());
            // A count the stream does not hold is never reported ready.
            assertThrows(IllegalStateException.class,
                    () -> poller.await(2_001, System.nanoTime() + 300_000_000L, () -> true));
        }
    }
}
