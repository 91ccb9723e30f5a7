package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.auth.User;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestCerts;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS for client connections, with certificates the test makes (PEM files both servers read):
 * INFO in plaintext then the upgrade, mutual TLS, verify_and_map, bad handshakes. Behavioural
 * cases run against upstream nats-server too.
 */
class TlsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Options.Builder tlsOptions(TestServer s, SSLContext ctx) {
        return new Options.Builder().server(s.url()).sslContext(ctx).noReconnect()
                .connectionTimeout(Duration.ofSeconds(3)).errorListener(new QuietErrors());
    }

    /** For connections expected to fail: a short timeout keeps the test quick. */
    private static Options failing(TestServer s, SSLContext ctx) {
        return tlsOptions(s, ctx).connectionTimeout(Duration.ofMillis(1000)).build();
    }

    private static void roundTrip(Connection nc, String subject) throws Exception {
        Subscription sub = nc.subscribe(subject);
        nc.flush(WAIT);
        nc.publish(subject, "hello".getBytes(StandardCharsets.UTF_8));
        Message m = sub.nextMessage(WAIT);
        assertNotNull(m, "message delivered over TLS");
        assertEquals("hello", new String(m.getData(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void infoIsPlaintextThenClientsUpgrade(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(impl, certs.tlsBlock(null))) {
            try (RawClient raw = s.raw()) {
                assertTrue(raw.info().startsWith("INFO {"), raw.info());
                assertTrue(raw.info().contains("\"tls_required\":true"), raw.info());
                assertFalse(raw.info().contains("tls_verify"), raw.info());
            }
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).build())) {
                roundTrip(nc, "tls.a");
            }
            // jnats' trust-everything TLS (the secure() variant trusts the JVM's CAs, not the test CA)
            try (Connection nc = Nats.connect(new Options.Builder().server(s.url()).opentls().noReconnect().build())) {
                roundTrip(nc, "tls.b");
            }
        }
    }

    /** Upstream's TLS handshake fails on the plaintext CONNECT and it closes without another byte. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void plaintextClientIsClosedSilently(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(impl, certs.tlsBlock(null))) {
            try (RawClient raw = s.raw()) {
                assertEquals("<closed>", raw.untilPong("CONNECT {\"verbose\":false}\r\n"));
            }
            Options plain = new Options.Builder().server(s.url()).noReconnect()
                    .connectionTimeout(Duration.ofSeconds(1)).errorListener(new QuietErrors()).build();
            assertThrows(Exception.class, () -> Nats.connect(plain).close());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void mutualTlsNeedsATrustedClientCertificate(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(impl, certs.tlsBlock("verify: true"))) {
            try (RawClient raw = s.raw()) {
                assertTrue(raw.info().contains("\"tls_verify\":true"), raw.info());
            }
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(certs.aliceCert, certs.aliceKey)).build())) {
                roundTrip(nc, "mtls");
            }
            assertThrows(Exception.class, () -> Nats.connect(failing(s, certs.clientContext(null, null))).close());
            assertThrows(Exception.class,
                    () -> Nats.connect(failing(s, certs.clientContext(certs.rogueCert, certs.rogueKey))).close());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void verifyAndMapTakesTheUserFromTheCertificate(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        String conf = certs.tlsBlock("verify_and_map: true") + """
                authorization {
                  users: [
                    {user: "alice@example.com", permissions: {publish: "alice.>", subscribe: ["alice.>", "_INBOX.>"]}}
                    {user: "CN=bob,OU=ops,O=Acme"}
                  ]
                }
                """;
        try (TestServer s = TestServer.start(impl, conf)) {
            try (Connection alice = Nats.connect(tlsOptions(s, certs.clientContext(certs.aliceCert, certs.aliceKey)).build());
                 Connection bob = Nats.connect(tlsOptions(s, certs.clientContext(certs.bobCert, certs.bobKey)).build())) {
                roundTrip(alice, "alice.x");
                roundTrip(bob, "bob.x");
                if (impl == Impl.JNATSD) {
                    User a = userNamed(s.embedded(), "alice@example.com");
                    assertEquals(List.of("alice.>"), a.permissions().publish().allow());
                    assertEquals(List.of("alice.>", "_INBOX.>"), a.permissions().subscribe().allow());
                    assertEquals(User.GLOBAL_ACCOUNT, a.account());
                    assertNotNull(userNamed(s.embedded(), "CN=bob,OU=ops,O=Acme"));
                }
            }
            // no certificate, or one that names nobody configured
            assertThrows(Exception.class, () -> Nats.connect(failing(s, certs.clientContext(null, null))).close());
        }
        String onlyAlice = certs.tlsBlock("verify_and_map: true") + "authorization { users: [ {user: \"alice@example.com\"} ] }\n";
        try (TestServer s = TestServer.start(impl, onlyAlice)) {
            assertThrows(Exception.class,
                    () -> Nats.connect(failing(s, certs.clientContext(certs.bobCert, certs.bobKey))).close());
        }
    }

    static User userNamed(NatsServer server, String name) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ClientConnection c : server.connections()) {
                if (c.user() != null && name.equals(c.user().name())) return c.user();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no connection authenticated as " + name);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void garbageDuringTheHandshakeClosesOnlyThatConnection(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(impl, certs.tlsBlock("timeout: 0.5"));
             Connection good = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).build())) {
            Random random = new Random(42);
            for (int i = 0; i < 12; i++) {
                try (RawClient raw = s.raw()) {
                    byte[] junk = new byte[1 + random.nextInt(600)];
                    random.nextBytes(junk);
                    if (i == 0) junk[0] = 0x16; // looks like a TLS record, then nonsense (waits for the handshake timeout)
                    raw.send(junk);
                    assertTrue(raw.closedWithin(5000), "closed after garbage");
                }
            }
            roundTrip(good, "still.fine");
            try (Connection again = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).build())) {
                roundTrip(again, "new.ones.too");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void traditionalKeyFormatsAreAccepted(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        String sec1 = "tls { cert_file: \"" + certs.serverCert + "\", key_file: \"" + certs.serverKeySec1 + "\" }";
        String pkcs1 = "tls { cert_file: \"" + certs.rsaServerCert + "\", key_file: \"" + certs.rsaServerKeyPkcs1 + "\" }";
        for (String conf : List.of(sec1, pkcs1)) {
            try (TestServer s = TestServer.start(impl, conf);
                 Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).build())) {
                roundTrip(nc, "keys");
            }
        }
    }

    /** handshake_first is upstream 2.10: the server waits for the client's TLS hello, INFO comes encrypted. */
    @Test
    void handshakeFirst() throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(Impl.JNATSD, certs.tlsBlock("handshake_first: true"))) {
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).tlsFirst().build())) {
                roundTrip(nc, "first");
            }
            // a client expecting INFO first gets nothing readable and cannot connect
            try (java.net.Socket raw = new java.net.Socket("127.0.0.1", s.port())) {
                raw.setSoTimeout(500);
                assertThrows(java.net.SocketTimeoutException.class, () -> raw.getInputStream().read());
            }
            assertThrows(Exception.class, () -> Nats.connect(failing(s, certs.clientContext(null, null))).close());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pinnedCertificates(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        String conf = certs.tlsBlock("verify: true\npinned_certs: [\"" + TestCerts.spkiSha256(certs.aliceCert) + "\"]");
        try (TestServer s = TestServer.start(impl, conf)) {
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(certs.aliceCert, certs.aliceKey)).build())) {
                roundTrip(nc, "pinned");
            }
            assertThrows(Exception.class, () -> Nats.connect(failing(s, certs.clientContext(certs.bobCert, certs.bobKey))).close());
        }
    }

    /** The TLS 1.2 suites are the configured ones: an RSA-only suite cannot serve an EC certificate. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void cipherSuitesAndCurvesAreApplied(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        String good = certs.tlsBlock("cipher_suites: [\"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\"]\ncurve_preferences: [\"CurveP384\"]");
        try (TestServer s = TestServer.start(impl, good);
             Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null, "TLSv1.2")).build())) {
            roundTrip(nc, "suites");
        }
        String rsaOnly = certs.tlsBlock("cipher_suites: [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"]");
        try (TestServer s = TestServer.start(impl, rsaOnly)) {
            assertThrows(Exception.class, () -> Nats.connect(failing(s, certs.clientContext(null, null, "TLSv1.2"))).close());
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).build())) {
                roundTrip(nc, "tls13.always.on"); // TLS 1.3 suites are not configurable, as in Go
            }
        }
    }

    /** min_version is upstream 2.10. */
    @Test
    void minVersion13RefusesTls12Clients() throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(Impl.JNATSD, certs.tlsBlock("min_version: \"1.3\""))) {
            assertThrows(Exception.class, () -> Nats.connect(failing(s, certs.clientContext(null, null, "TLSv1.2"))).close());
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).build())) {
                roundTrip(nc, "v13");
            }
        }
    }

    /** upstream 2.10: with a fallback delay, a client that does not start TLS at once gets INFO first. */
    @Test
    void handshakeFirstWithFallback() throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(Impl.JNATSD, certs.tlsBlock("handshake_first: \"200ms\""))) {
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).tlsFirst().build())) {
                roundTrip(nc, "first");
            }
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).build())) {
                roundTrip(nc, "info.first");
            }
            long t = System.nanoTime();
            try (RawClient raw = s.raw()) {
                assertTrue(System.nanoTime() - t >= 150_000_000L, "INFO only after the delay");
                assertTrue(raw.info().contains("\"tls_required\":true"), raw.info());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void allowNonTlsLetsClientsChoose(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(impl, certs.tlsBlock(null) + "allow_non_tls: true\n")) {
            try (RawClient raw = s.raw()) {
                assertTrue(raw.info().contains("\"tls_available\":true"), raw.info());
                assertFalse(raw.info().contains("tls_required"), raw.info());
                assertEquals("", raw.untilPong("CONNECT {\"verbose\":false}\r\n"));
            }
            try (Connection nc = Nats.connect(tlsOptions(s, certs.clientContext(null, null)).build())) {
                roundTrip(nc, "secure");
            }
            try (Connection nc = Nats.connect(new Options.Builder().server(s.url()).noReconnect().build())) {
                roundTrip(nc, "plain");
            }
        }
    }

    @Test
    void tlsFromTheCommandLineFlags() throws Exception {
        TestCerts certs = TestCerts.get();
        io.jnatsd.server.config.ServerOptions o = new io.jnatsd.server.config.ServerOptions();
        o.host = "127.0.0.1";
        o.port = 0;
        o.tls = true;
        o.tlsCert = certs.serverCert.toString();
        o.tlsKey = certs.serverKey.toString();
        o.tlsCaCert = certs.caCert.toString();
        o.tlsVerify = true;
        try (NatsServer server = new NatsServer(o, io.jnatsd.server.log.ServerLog.silent()).start()) {
            try (RawClient raw = new RawClient(server.port())) {
                assertTrue(raw.info().contains("\"tls_required\":true,\"tls_verify\":true"), raw.info());
            }
            Options ok = new Options.Builder().server(server.clientUrl()).noReconnect()
                    .sslContext(certs.clientContext(certs.aliceCert, certs.aliceKey)).build();
            try (Connection nc = Nats.connect(ok)) {
                roundTrip(nc, "flags");
            }
        }
    }

    @Test
    void tlsBlockErrorsAreReportedAtStart() throws Exception {
        TestCerts certs = TestCerts.get();
        Path missing = certs.dir.resolve("nope.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestServer.start(Impl.JNATSD,
                "tls { cert_file: \"" + missing + "\", key_file: \"" + certs.serverKey + "\" }"));
        assertTrue(e.getMessage().contains("error parsing X509 certificate/key pair"), e.getMessage());
    }

    /** Silences jnats' default error listener (it prints stack traces for the expected failures). */
    static final class QuietErrors implements io.nats.client.ErrorListener {
    }
}
