package io.jnatsd.server.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.NatsServer;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** When the monitoring listener runs, on which port, and when it refuses to start (jnatsd's embedding API). */
class MonitorLifecycleTest {
    private static NatsServer.Builder server() {
        return NatsServer.builder().host("127.0.0.1").port(0);
    }

    @Test
    void portZeroMeansNoMonitoring() throws Exception {
        try (NatsServer s = server().options(o -> o.httpPort = 0).start()) {
            assertEquals(0, s.monitorPort());
            assertNull(s.monitorUrl());
        }
    }

    @Test
    void portMinusOnePicksAFreePortAndShutdownReleasesIt() throws Exception {
        int port;
        try (NatsServer s = server().options(o -> o.httpPort = -1).start()) {
            port = s.monitorPort();
            assertTrue(port > 0);
            assertEquals(-1, new MonitorHttp(s.monitorUrl()).json("/varz").get("http_port").asInt());
            assertEquals(200, new MonitorHttp(s.monitorUrl()).get("/healthz").statusCode());
        }
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void httpHostDefaultsToTheClientHost() throws Exception {
        int port = TestServer.freePort();
        try (NatsServer s = server().options(o -> o.httpPort = port).start()) {
            assertEquals("http://127.0.0.1:" + port, s.monitorUrl());
            assertEquals("127.0.0.1", new MonitorHttp(s.monitorUrl()).json("/varz").get("http_host").asText());
        }
    }

    @Test
    void refusesBothHttpAndHttpsPorts() {
        NatsServer s = server().options(o -> {
            o.httpPort = -1;
            o.httpsPort = -1;
        }).build();
        MonitorException e = assertThrows(MonitorException.class, s::start);
        assertEquals("can't specify both HTTP (-1) and HTTPs (-1) ports", e.getMessage());
        assertTrue(!s.isRunning());
    }

    @Test
    void refusesHttpsWithoutTls() {
        NatsServer s = server().options(o -> o.httpsPort = -1).build();
        assertEquals("TLS cert and key required for HTTPS", assertThrows(MonitorException.class, s::start).getMessage());
    }

    @Test
    void aTakenPortFailsTheStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            NatsServer s = server().options(o -> o.httpPort = taken.getLocalPort()).build();
            MonitorException e = assertThrows(MonitorException.class, s::start);
            assertTrue(e.getMessage().startsWith("can't listen to the monitor port: listen tcp 127.0.0.1:"
                    + taken.getLocalPort() + ": bind: address already in use"), e.getMessage());
        }
    }

    @Test
    void healthzIsOkWhileJetStreamServes() throws Exception {
        java.nio.file.Path store = java.nio.file.Files.createTempDirectory("jnatsd-healthz");
        try (NatsServer s = server().options(o -> {
            o.httpPort = -1;
            o.jetstream = true;
            o.storeDir = store.toString();
        }).start()) {
            var r = new MonitorHttp(s.monitorUrl()).get("/healthz");
            assertEquals(200, r.statusCode());
            assertEquals("{\"status\":\"ok\"}", r.body());
        }
    }
}
