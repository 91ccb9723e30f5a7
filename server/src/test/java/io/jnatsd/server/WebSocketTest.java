package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.OperatorFixture;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestCerts;
import io.jnatsd.server.testing.TestServer;
import io.jnatsd.server.testing.WsClient;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * NATS clients over WebSocket ({@code websocket {}}): the official Java client over {@code ws://} and
 * {@code wss://} meeting plain clients, and a hand-written WebSocket client for what official clients never do
 * (origins, silence, garbage, split and compressed frames). Every case runs against upstream nats-server too,
 * so the expectations are upstream's.
 */
class WebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CONNECT = "CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"headers\":true}\r\n";

    /** A server with a WebSocket listener on {@code wsPort} ({@code ws} is the rest of the block) and {@code more}. */
    private static TestServer start(Impl impl, int wsPort, String ws, String more) throws Exception {
        return TestServer.start(impl, wsBlock(wsPort, ws) + more);
    }

    private static String wsBlock(int wsPort, String ws) {
        return "websocket {\n  listen: \"127.0.0.1:" + wsPort + "\"\n" + ws + "\n}\n";
    }

    private static Options.Builder ws(int wsPort) {
        return new Options.Builder().server("ws://127.0.0.1:" + wsPort).noReconnect()
                .connectionTimeout(Duration.ofSeconds(3)).errorListener(new TlsTest.QuietErrors());
    }

    /** For connections expected to be refused: a short timeout keeps the test quick. */
    private static Options.Builder refused(Options.Builder b) {
        return b.connectionTimeout(Duration.ofMillis(700));
    }

    private static Connection plain(TestServer s) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).noReconnect().errorListener(new TlsTest.QuietErrors()).build());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void roundTrip(Connection from, Connection to, String subject) throws Exception {
        Subscription sub = to.subscribe(subject);
        to.flush(WAIT);
        from.publish(subject, bytes("hello " + subject));
        from.flush(WAIT);
        Message m = sub.nextMessage(WAIT);
        assertNotNull(m, "delivered on " + subject);
        assertEquals("hello " + subject, new String(m.getData(), StandardCharsets.UTF_8));
        sub.unsubscribe();
    }

    // ---- the protocol over WebSocket ---------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Impl.class)
    void webSocketAndPlainClientsMeetBothWays(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", "");
             Connection w = Nats.connect(ws(wsPort).build());
             Connection p = plain(s)) {
            roundTrip(w, p, "ws.to.plain");
            roundTrip(p, w, "plain.to.ws");
            roundTrip(w, w, "ws.to.itself");

            // headers
            Subscription sub = p.subscribe("hdr");
            p.flush(WAIT);
            Headers h = new Headers().add("X-Test", "1", "2");
            w.publish(NatsMessage.builder().subject("hdr").headers(h).data(bytes("with headers")).build());
            Message m = sub.nextMessage(WAIT);
            assertNotNull(m);
            assertEquals(List.of("1", "2"), m.getHeaders().get("X-Test"));

            // request/reply, each side answering the other
            Dispatcher d1 = w.createDispatcher(msg -> w.publish(msg.getReplyTo(), bytes("ws says " + new String(msg.getData()))));
            d1.subscribe("svc.ws");
            Dispatcher d2 = p.createDispatcher(msg -> p.publish(msg.getReplyTo(), bytes("plain says " + new String(msg.getData()))));
            d2.subscribe("svc.plain");
            w.flush(WAIT);
            p.flush(WAIT);
            assertEquals("ws says hi", new String(p.request("svc.ws", bytes("hi"), WAIT).getData()));
            assertEquals("plain says hi", new String(w.request("svc.plain", bytes("hi"), WAIT).getData()));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void infoIsTheServersInfoInABinaryFrame(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", "");
             WsClient c = WsClient.open(wsPort).upgrade("")) {
            assertEquals(101, c.status());
            assertEquals("websocket", c.header("Upgrade").toLowerCase());
            assertEquals("upgrade", c.header("Connection").toLowerCase());
            assertNull(c.header("Sec-WebSocket-Extensions"), "no compression unless configured");
            WsClient.Frame f = c.readFrame();
            assertEquals(WsClient.BINARY, f.opcode());
            assertTrue(f.fin());
            String info = f.text();
            assertTrue(info.startsWith("INFO {") && info.endsWith("} \r\n"), info);
            assertTrue(info.contains("\"port\":" + s.port()), "the client port, as upstream: " + info);
            assertTrue(info.contains("\"headers\":true"), info);
            assertFalse(info.contains("auth_required"), info);
            assertFalse(info.contains("tls_required"), info);
            c.sendNats(CONNECT + "PING\r\n");
            assertEquals("PONG\r\n", c.readNatsUntil("PONG\r\n"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void largeMessagesCrossWholeOrSplitOverManyFrames(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", "");
             Connection w = Nats.connect(ws(wsPort).build());
             Connection p = plain(s)) {
            byte[] big = random(1024 * 1024, 7);
            Subscription toPlain = p.subscribe("big.plain");
            Subscription toWs = w.subscribe("big.ws");
            p.flush(WAIT);
            w.flush(WAIT);
            w.publish("big.plain", big);
            p.publish("big.ws", big);
            Message a = toPlain.nextMessage(WAIT);
            Message b = toWs.nextMessage(WAIT);
            assertNotNull(a);
            assertNotNull(b);
            assertArrayEquals(big, a.getData(), "1 MiB from the WebSocket client");
            assertArrayEquals(big, b.getData(), "1 MiB to the WebSocket client");

            // A hand-made client cuts one PUB into a fragmented message of 1000-byte frames, and the next PUB's
            // line across two messages: NATS over WebSocket is a byte stream, frames mean nothing to it.
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n"); // INFO
                c.sendNats(CONNECT + "SUB split 1\r\n");
                byte[] payload = random(200_000, 3);
                for (int i = 0; i < payload.length; i++) payload[i] = (byte) ('a' + (payload[i] & 0x0f));
                byte[] pub = concat(bytes("PUB split " + payload.length + "\r\n"), payload, bytes("\r\n"));
                for (int off = 0; off < pub.length; off += 1000) {
                    int n = Math.min(1000, pub.length - off);
                    byte[] part = java.util.Arrays.copyOfRange(pub, off, off + n);
                    c.send(off == 0 ? WsClient.BINARY : WsClient.CONTINUATION, part, off + n == pub.length, true, false);
                }
                c.sendNats("PUB sp").sendNats("lit 2\r\nok\r\nPING\r\n");
                String got = c.readNatsUntil("PONG\r\n");
                String head = "MSG split 1 " + payload.length + "\r\n";
                assertTrue(got.startsWith(head), got.substring(0, Math.min(80, got.length())));
                assertEquals(new String(payload, StandardCharsets.US_ASCII), got.substring(head.length(), head.length() + payload.length));
                assertTrue(got.endsWith("\r\nMSG split 1 2\r\nok\r\nPONG\r\n"), got.substring(got.length() - 60));
            }
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void permessageDeflateWhenConfiguredAndOffered(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        String offer = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n";
        try (TestServer s = start(impl, wsPort, "no_tls: true\ncompression: true", "");
             Connection p = plain(s);
             WsClient c = WsClient.open(wsPort).upgrade(offer)) {
            assertEquals(101, c.status());
            assertTrue(c.header("Sec-WebSocket-Extensions").startsWith("permessage-deflate"), c.header("Sec-WebSocket-Extensions"));
            WsClient.Frame info = c.readFrame();
            assertTrue(info.rsv1(), "INFO is compressed");
            c.sendNatsCompressed(CONNECT + "SUB z 1\r\nPING\r\n");
            WsClient.Frame pong = c.readFrame();
            assertFalse(pong.rsv1(), "64 bytes or less go uncompressed");
            assertEquals("PONG\r\n", pong.text());

            String text = "x".repeat(300);
            c.sendNatsCompressed("PUB z " + text.length() + "\r\n" + text + "\r\nPING\r\n");
            String got = c.readNatsUntil("PONG\r\n");
            assertEquals("MSG z 1 300\r\n" + text + "\r\nPONG\r\n", got);

            // and with plain clients on the other side
            Subscription sub = p.subscribe("from.ws");
            p.flush(WAIT);
            c.sendNatsCompressed("PUB from.ws 300\r\n" + text + "\r\n");
            assertEquals(text, new String(sub.nextMessage(WAIT).getData()));
            p.publish("z", bytes(text));
            assertEquals("MSG z 1 300\r\n" + text + "\r\n", c.readNatsUntil(text + "\r\n"));

            // a client that offers nothing gets nothing
            try (WsClient none = WsClient.open(wsPort).upgrade("")) {
                assertNull(none.header("Sec-WebSocket-Extensions"));
                assertFalse(none.readFrame().rsv1());
            }
        }
        // not configured: the offer is ignored
        try (TestServer s = start(impl, wsPort, "no_tls: true", "");
             WsClient c = WsClient.open(wsPort).upgrade(offer)) {
            assertNull(c.header("Sec-WebSocket-Extensions"));
            assertFalse(c.readFrame().rsv1());
        }
    }

    // ---- the upgrade -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Impl.class)
    void originsNotAllowedAreRefusedWith403(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true\nallowed_origins: [\"http://good.example:8080\"]", "")) {
            try (WsClient c = WsClient.open(wsPort).upgrade("Origin: http://bad.example\r\n")) {
                assertEquals(403, c.status());
                assertEquals("Forbidden\n", c.body());
                assertEquals("13", c.header("Sec-Websocket-Version"));
                assertEquals("text/plain; charset=utf-8", c.header("Content-Type"));
            }
            assertEquals(101, WsClient.open(wsPort).upgrade("Origin: http://good.example:8080\r\n").status());
            assertEquals(101, WsClient.open(wsPort).upgrade("Origin: http://GOOD.example:8080\r\n").status(), "host in any case");
            assertEquals(403, WsClient.open(wsPort).upgrade("Origin: https://good.example:8080\r\n").status(), "scheme");
            assertEquals(403, WsClient.open(wsPort).upgrade("Origin: http://good.example\r\n").status(), "port 80");
            assertEquals(403, WsClient.open(wsPort).upgrade("Origin: nonsense\r\n").status());
            assertEquals(101, WsClient.open(wsPort).upgrade("").status(), "no Origin: not a browser, allowed");
            // the refusal is only for that request: clients still connect
            try (Connection w = Nats.connect(ws(wsPort).build())) {
                roundTrip(w, w, "after.refusal");
            }
        }
        try (TestServer s = start(impl, wsPort, "no_tls: true\nsame_origin: true", "")) {
            assertEquals(101, WsClient.open(wsPort).upgrade("Origin: http://127.0.0.1:" + wsPort + "\r\n").status());
            assertEquals(101, WsClient.open(wsPort).upgrade("Origin: https://127.0.0.1:" + wsPort + "\r\n").status(),
                    "same origin compares host and port only");
            assertEquals(403, WsClient.open(wsPort).upgrade("Origin: http://localhost:" + wsPort + "\r\n").status());
            assertEquals(403, WsClient.open(wsPort).upgrade("Origin: http://127.0.0.1\r\n").status());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void badUpgradeRequestsGetUpstreamsStatus(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", "")) {
            String host = "Host: 127.0.0.1:" + wsPort + "\r\n";
            String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
            String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
            assertEquals(405, WsClient.open(wsPort).request("POST / HTTP/1.1\r\n" + host + upgrade + key
                    + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n").status());
            assertEquals(400, WsClient.open(wsPort).request("GET / HTTP/1.1\r\n" + host
                    + "Connection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n").status(), "no Upgrade");
            assertEquals(400, WsClient.open(wsPort).request("GET / HTTP/1.1\r\n" + host
                    + "Upgrade: websocket\r\nConnection: keep-alive\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n").status());
            assertEquals(400, WsClient.open(wsPort).request("GET / HTTP/1.1\r\n" + host + upgrade
                    + "Sec-WebSocket-Version: 13\r\n\r\n").status(), "no key");
            assertEquals(400, WsClient.open(wsPort).request("GET / HTTP/1.1\r\n" + host + upgrade + key
                    + "Sec-WebSocket-Version: 8\r\n\r\n").status(), "version");
            WsClient ok = WsClient.open(wsPort).request("GET /any/path?x=1 HTTP/1.1\r\n" + host
                    + "Upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n");
            assertEquals(101, ok.status(), "any path, header tokens in any case and in lists");
            assertEquals(WsClient.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="), ok.header("Sec-WebSocket-Accept"));
            ok.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void silentSocketsAreDroppedAfterTheHandshakeTimeout(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true\nhandshake_timeout: \"500ms\"", "")) {
            long t0 = System.nanoTime();
            try (WsClient silent = WsClient.open(wsPort)) {
                assertTrue(silent.eofWithin(5000), "closed");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 400 && ms < 4000, "after the timeout: " + ms + " ms");
            // the timeout is for the upgrade only: an upgraded client may be quiet for longer
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                Thread.sleep(800);
                c.sendNats(CONNECT + "PING\r\n");
                assertEquals("PONG\r\n", c.readNatsUntil("PONG\r\n"));
            }
        }
    }

    // ---- frames ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Impl.class)
    void badFramesCloseThatConnectionOnly(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", "");
             Connection w = Nats.connect(ws(wsPort).build());
             Connection p = plain(s)) {
            roundTrip(w, p, "before");
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                c.sendRaw("\u0000\u0001garbage garbage garbage garbage".getBytes(StandardCharsets.ISO_8859_1));
                assertNotEquals(-2, c.closedWithin(3000), "garbage closes the connection");
            }
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                c.send(WsClient.BINARY, bytes(CONNECT + "PING\r\n"), true, false, false);
                assertNotEquals(-2, c.closedWithin(3000), "an unmasked frame closes the connection");
            }
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                c.send(0x3, bytes("?"), true, true, false);
                assertNotEquals(-2, c.closedWithin(3000), "an unknown opcode closes the connection");
            }
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                c.send(WsClient.PING, new byte[126], true, true, false);
                assertNotEquals(-2, c.closedWithin(3000), "a control frame over 125 bytes closes the connection");
            }
            // everyone else is fine
            roundTrip(w, p, "after");
            roundTrip(p, w, "after.back");
            try (Connection w2 = Nats.connect(ws(wsPort).build())) {
                roundTrip(w2, w, "new.client");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void controlFramesAndCloseStatuses(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", "")) {
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                c.send(WsClient.PING, bytes("hi"), true, true, false);
                WsClient.Frame pong = c.readFrame();
                assertEquals(WsClient.PONG, pong.opcode());
                assertEquals("hi", pong.text());
                // text frames are taken as bytes, as binary ones
                c.send(WsClient.TEXT, bytes(CONNECT + "PING\r\n"), true, true, false);
                assertEquals("PONG\r\n", c.readNatsUntil("PONG\r\n"));
                // the client closes: its status is echoed, then the connection is closed
                c.send(WsClient.CLOSE, concat(new byte[] {0x03, (byte) 0xe8}, bytes("bye")), true, true, false);
                WsClient.Frame close = c.readFrame();
                assertEquals(WsClient.CLOSE, close.opcode());
                assertEquals(1000, close.closeCode());
                assertEquals("bye", close.closeReason());
                assertEquals(0, c.closedWithin(3000));
            }
            // the server closes: -ERR, then a Close frame saying why
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                c.sendNats("FOO\r\n");
                List<WsClient.Frame> frames = new ArrayList<>();
                WsClient.Frame f;
                do {
                    f = c.readFrame();
                    frames.add(f);
                } while (f.opcode() != WsClient.CLOSE);
                String text = frames.stream().filter(x -> x.opcode() == WsClient.BINARY).map(WsClient.Frame::text)
                        .reduce("", String::concat);
                assertEquals("-ERR 'Unknown Protocol Operation'\r\n", text);
                assertEquals(1002, f.closeCode());
                assertEquals("Protocol Violation", f.closeReason());
            }
        }
        // authentication failures are policy violations
        try (TestServer s = start(impl, wsPort, "no_tls: true", "authorization { token: secret }");
             WsClient c = WsClient.open(wsPort).upgrade("")) {
            assertTrue(c.readNatsUntil("\r\n").contains("\"auth_required\":true"));
            c.sendNats("CONNECT {\"verbose\":false,\"auth_token\":\"wrong\"}\r\nPING\r\n");
            WsClient.Frame f;
            StringBuilder text = new StringBuilder();
            while ((f = c.readFrame()).opcode() != WsClient.CLOSE) text.append(f.text());
            assertEquals("-ERR 'Authorization Violation'\r\n", text.toString());
            assertEquals(1008, f.closeCode());
            assertEquals("Authentication Failure", f.closeReason());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aServerShuttingDownSaysGoingAway(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        TestServer s = start(impl, wsPort, "no_tls: true", "");
        try (WsClient c = WsClient.open(wsPort).upgrade("")) {
            c.readNatsUntil("\r\n");
            c.sendNats(CONNECT + "PING\r\n");
            c.readNatsUntil("PONG\r\n");
            s.close();
            WsClient.Frame f;
            while ((f = c.readFrame()).opcode() != WsClient.CLOSE) {
                // anything before the close frame
            }
            assertEquals(1001, f.closeCode());
            assertEquals("Server Shutdown", f.closeReason());
        } finally {
            s.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void browsersGetFramesOf4KiBAtMost(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", "");
             Connection p = plain(s);
             WsClient c = WsClient.open(wsPort).upgrade("User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\r\n")) {
            c.readNatsUntil("\r\n");
            c.sendNats(CONNECT + "SUB b 1\r\nPING\r\n");
            c.readNatsUntil("PONG\r\n");
            String text = "y".repeat(10_000);
            p.publish("b", bytes(text));
            p.flush(WAIT);
            StringBuilder got = new StringBuilder();
            int frames = 0;
            while (got.indexOf(text + "\r\n") < 0) {
                WsClient.Frame f = c.readFrame();
                assertEquals(WsClient.BINARY, f.opcode());
                assertTrue(f.fin());
                assertTrue(f.payload().length <= 4096, "frame of " + f.payload().length);
                got.append(f.text());
                frames++;
            }
            assertEquals("MSG b 1 10000\r\n" + text + "\r\n", got.toString());
            assertTrue(frames >= 3, frames + " frames");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void noMaskingOnRequest(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", "");
             WsClient c = WsClient.open(wsPort).upgrade("Nats-No-Masking: true\r\n")) {
            assertEquals("true", c.header("Nats-No-Masking"));
            c.readNatsUntil("\r\n");
            c.send(WsClient.BINARY, bytes(CONNECT + "PING\r\n"), true, false, false);
            assertEquals("PONG\r\n", c.readNatsUntil("PONG\r\n"));
        }
    }

    // ---- TLS ---------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Impl.class)
    void wssWithTheBlocksTls(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        int wsPort = TestServer.freePort();
        SSLContext ctx = certs.clientContext(null, null);
        String tls = "tls {\n  cert_file: \"" + certs.serverCert + "\"\n  key_file: \"" + certs.serverKey + "\"\n}";
        try (TestServer s = start(impl, wsPort, tls, "");
             Connection w = Nats.connect(new Options.Builder().server("wss://127.0.0.1:" + wsPort).sslContext(ctx)
                     .noReconnect().connectionTimeout(Duration.ofSeconds(3)).errorListener(new TlsTest.QuietErrors()).build());
             Connection p = plain(s)) {
            roundTrip(w, p, "wss.to.plain");
            roundTrip(p, w, "plain.to.wss");
            try (WsClient c = WsClient.openTls(wsPort, ctx).upgrade("")) {
                assertEquals(101, c.status());
                String info = c.readNatsUntil("\r\n");
                assertFalse(info.contains("tls_required"), "TLS is the HTTP layer's, INFO is the server's: " + info);
            }
            // plain HTTP on the TLS port gets no upgrade (upstream answers 400, jnatsd closes)
            try (WsClient c = WsClient.open(wsPort)) {
                int status;
                try {
                    status = c.upgrade("").status();
                } catch (IOException closed) {
                    status = -1;
                }
                assertNotEquals(101, status);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void infoCarriesTheServersTlsFlagsWhateverTheWebSocketTransport(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true", certs.tlsBlock(null));
             WsClient c = WsClient.open(wsPort).upgrade("")) {
            String info = c.readNatsUntil("\r\n");
            assertTrue(info.contains("\"tls_required\":true"), "as upstream, the server's INFO: " + info);
            // clients know TLS over WebSocket is the HTTP layer's business and go on in plaintext
            try (Connection w = Nats.connect(ws(wsPort).build())) {
                roundTrip(w, w, "plain.ws");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void wssVerifyAndMapTakesTheUserFromTheClientCertificate(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        int wsPort = TestServer.freePort();
        String tls = "tls {\n  cert_file: \"" + certs.serverCert + "\"\n  key_file: \"" + certs.serverKey + "\"\n"
                + "  ca_file: \"" + certs.caCert + "\"\n  verify_and_map: true\n}";
        String users = "authorization { users: [ {user: \"alice@example.com\", permissions: {publish: \"alice.>\"}} ] }\n";
        try (TestServer s = start(impl, wsPort, tls, users)) {
            Options alice = new Options.Builder().server("wss://127.0.0.1:" + wsPort)
                    .sslContext(certs.clientContext(certs.aliceCert, certs.aliceKey)).noReconnect()
                    .connectionTimeout(Duration.ofSeconds(3)).errorListener(new TlsTest.QuietErrors()).build();
            try (Connection w = Nats.connect(alice)) {
                roundTrip(w, w, "alice.ok");
            }
            Options bob = new Options.Builder().server("wss://127.0.0.1:" + wsPort)
                    .sslContext(certs.clientContext(certs.bobCert, certs.bobKey)).noReconnect()
                    .connectionTimeout(Duration.ofMillis(700)).errorListener(new TlsTest.QuietErrors()).build();
            assertThrows(Exception.class, () -> Nats.connect(bob).close(), "no user for bob's certificate");
            Options none = new Options.Builder().server("wss://127.0.0.1:" + wsPort)
                    .sslContext(certs.clientContext(null, null)).noReconnect()
                    .connectionTimeout(Duration.ofMillis(700)).errorListener(new TlsTest.QuietErrors()).build();
            assertThrows(Exception.class, () -> Nats.connect(none).close(), "verify: a certificate is required");
        }
    }

    // ---- authentication ----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Impl.class)
    void theBlocksAuthorizationOverridesTheServersForWebSocketClients(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true\nauthorization { token: wstoken, timeout: 1 }", "")) {
            try (RawClient raw = s.raw()) {
                assertFalse(raw.info().contains("auth_required"), "plain clients need nothing: " + raw.info());
            }
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                assertTrue(c.readNatsUntil("\r\n").contains("\"auth_required\":true"));
            }
            try (Connection w = Nats.connect(ws(wsPort).token("wstoken".toCharArray()).build());
                 Connection p = plain(s)) {
                roundTrip(w, p, "authorized");
            }
            assertThrows(Exception.class, () -> Nats.connect(refused(ws(wsPort)).build()).close());
            assertThrows(Exception.class, () -> Nats.connect(refused(ws(wsPort)).token("other".toCharArray()).build()).close());
            // the block's timeout: a silent WebSocket client is cut off after 1 s, not the server's 2 s
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                long t0 = System.nanoTime();
                StringBuilder text = new StringBuilder();
                WsClient.Frame f;
                while ((f = c.readFrame()).opcode() != WsClient.CLOSE) text.append(f.text());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals("-ERR 'Authentication Timeout'\r\n", text.toString());
                assertTrue(ms > 700 && ms < 1800, ms + " ms");
                assertEquals(1008, f.closeCode());
            }
        }
        String users = "authorization {\n  users: [\n    {user: a, password: pa}\n"
                + "    {user: b, password: pb, permissions: {publish: \"b.>\"}}\n  ]\n}\n";
        try (TestServer s = start(impl, wsPort, "no_tls: true\nno_auth_user: b", users)) {
            try (WsClient c = WsClient.open(wsPort).upgrade("")) {
                c.readNatsUntil("\r\n");
                c.sendNats("CONNECT {\"verbose\":false}\r\nPUB b.x 1\r\n1\r\nPUB a.x 1\r\n1\r\nPING\r\n");
                assertEquals("-ERR 'Permissions Violation for Publish to \"a.x\"'\r\nPONG\r\n", c.readNatsUntil("PONG\r\n"),
                        "a WebSocket client without credentials is b");
            }
            try (RawClient raw = s.raw()) {
                assertEquals("-ERR 'Authorization Violation'", raw.send("CONNECT {\"verbose\":false}\r\nPING\r\n").readLine(),
                        "the block's no_auth_user is not the server's");
            }
            try (Connection w = Nats.connect(ws(wsPort).userInfo("a", "pa").build())) {
                roundTrip(w, w, "a.can");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void theJwtCookieIsTheUserJwtWhenConnectHasNone(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        var account = op.addAccount("A");
        OperatorFixture.User bearer = op.user(account, c -> c.nats("bearer_token", true));
        int wsPort = TestServer.freePort();
        try (TestServer s = start(impl, wsPort, "no_tls: true\njwt_cookie: \"natsjwt\"", op.memoryConfig())) {
            Options withCookie = ws(wsPort)
                    .httpRequestInterceptor(r -> r.getHeaders().add("Cookie", "other=1; natsjwt=" + bearer.jwt()))
                    .build();
            try (Connection w = Nats.connect(withCookie)) {
                roundTrip(w, w, "cookie.works");
            }
            assertThrows(Exception.class, () -> Nats.connect(refused(ws(wsPort)).build()).close(), "no JWT at all");
            Options wrongName = refused(ws(wsPort))
                    .httpRequestInterceptor(r -> r.getHeaders().add("Cookie", "jwt=" + bearer.jwt()))
                    .build();
            assertThrows(Exception.class, () -> Nats.connect(wrongName).close(), "another cookie");
        }
    }

    // ---- monitoring --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Impl.class)
    void varzHasTheBlockAndConnzTheClientType(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        String block = wsBlock(wsPort, "no_tls: true\ncompression: true\nsame_origin: true\n"
                + "allowed_origins: [\"http://a.example\", \"https://b.example:8443\"]\nhandshake_timeout: \"3s\"\n"
                + "advertise: \"ws.example:443\"\nauthorization { timeout: 1.5 }");
        try (TestServer s = TestServer.startMonitored(impl, block, null);
             Connection w = Nats.connect(ws(wsPort).connectionName("over-ws").build());
             Connection p = Nats.connect(new Options.Builder().server(s.url()).connectionName("plain").build())) {
            MonitorHttp mon = new MonitorHttp(s);
            JsonNode varz = mon.json("/varz").get("websocket");
            JsonNode expected = new ObjectMapper().readTree("{\"host\":\"127.0.0.1\",\"port\":" + wsPort
                    + ",\"advertise\":\"ws.example:443\",\"handshake_timeout\":3000000000,\"auth_timeout\":1.5,"
                    + "\"no_tls\":true,\"same_origin\":true,"
                    + "\"allowed_origins\":[\"http://a.example\",\"https://b.example:8443\"],\"compression\":true}");
            assertEquals(expected, varz);
            List<String> names = new ArrayList<>();
            varz.fieldNames().forEachRemaining(names::add);
            assertEquals(List.of("host", "port", "advertise", "handshake_timeout", "auth_timeout", "no_tls", "same_origin",
                    "allowed_origins", "compression"), names, "upstream's order");

            JsonNode conns = mon.await("/connz", j -> j.get("num_connections").asInt() == 2).get("connections");
            for (JsonNode c : conns) {
                String expectedType = c.get("name").asText().equals("over-ws") ? "websocket" : "nats";
                assertEquals(expectedType, c.get("type").asText(), c.toString());
                assertEquals("Client", c.get("kind").asText());
            }
            w.close();
            JsonNode closed = mon.await("/connz?state=closed", j -> j.get("num_connections").asInt() == 1);
            assertEquals("websocket", closed.get("connections").get(0).get("type").asText());
            assertEquals("Client Closed", closed.get("connections").get(0).get("reason").asText());
        }
    }

    // ---- configuration refused at start ------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Impl.class)
    void blocksUpstreamRefusesToStartWith(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        String users = "authorization { users: [ {user: a, password: b} ] }\n";
        String[][] cases = {
                {"websocket { port: 8080 }\n", "websocket requires TLS configuration"},
                {"websocket { port: 8080, no_tls: true, jwt_cookie: \"c\" }\n",
                        "trusted operators or trusted keys configuration is required for JWT authentication via cookie \"c\""},
                {users + "websocket { port: 8080, no_tls: true, authorization { token: x } }\n",
                        "websocket authentication token not compatible with presence of users/nkeys"},
                {users + "websocket { port: 8080, no_tls: true, authorization { user: x, password: y } }\n",
                        "websocket authentication username not compatible with presence of users/nkeys"},
                {"websocket { port: 8080, no_tls: true, no_auth_user: bob }\n",
                        "no_auth_user: \"bob\" present, but users are not defined"},
                {users + "websocket { port: 8080, no_tls: true, no_auth_user: bob }\n",
                        "no_auth_user: \"bob\" not present as user in authorization block or account configuration"},
                {op.memoryConfig() + "websocket { port: 8080, no_tls: true, no_auth_user: bob }\n",
                        "no_auth_user not compatible with Trusted Operator"},
        };
        for (String[] c : cases) {
            String out = refusal(impl, c[0]);
            assertTrue(out.contains(c[1]), "expected \"" + c[1] + "\", got: " + out);
        }
    }

    /** What the server says when it refuses to start with this config (fails when it starts). */
    private static String refusal(Impl impl, String config) throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("ws", ".conf");
        java.nio.file.Files.writeString(f, config);
        if (impl == Impl.JNATSD) {
            var opts = io.jnatsd.server.config.ConfigLoader.load(f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new NatsServer(opts, io.jnatsd.server.log.ServerLog.silent()));
            assertThrows(IllegalArgumentException.class, () -> NatsServer.validate(opts), "-t says so too");
            assertTrue(e.getMessage().startsWith(f + ":"), "with the position: " + e.getMessage());
            return e.getMessage();
        }
        String bin = TestServer.upstreamBinary();
        org.junit.jupiter.api.Assumptions.assumeTrue(bin != null, "upstream nats-server is not installed");
        Process p = new ProcessBuilder(bin, "-c", f.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("upstream started with " + config);
        }
        assertNotEquals(0, p.exitValue());
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
