package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.TestCerts;
import io.jnatsd.server.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The TLS alert a refused client certificate gets on a fresh handshake, with
 * {@code tls { verify: true, ca_file: … }}: upstream (Go) sends {@code bad_certificate} for an
 * expired certificate and for one from a CA it does not trust, on TLS 1.2 and 1.3; jnatsd does
 * the same with BoringSSL, which serves a client listener with {@code verify}, and sends
 * {@code certificate_unknown} with the JDK's TLS ({@code -Djnatsd.tls.native=false}, or where
 * BoringSSL cannot load), which has no way to send another alert.
 */
class TlsBadCertificateTest {
    /** A first handshake on a loaded machine (cold classes, two cores shared) may take longer than the default 2 s. */
    static final String SLOW_MACHINE = "timeout: 10";
    private static TestCerts certs;
    private static TestCerts.ClientCert expired;

    @BeforeAll
    static void expiredCertificate() throws Exception {
        certs = TestCerts.get();
        expired = certs.clientValidFor(Duration.ZERO);
        TestServer.await(10_000, expired::expired);
    }

    /** jnatsd with BoringSSL asked for by name (a failure to load it would be logged, not silent). */
    static TestServer startNative(String config) throws Exception {
        return startJnatsd(config, "true");
    }

    /** jnatsd with {@code -Djnatsd.tls.native=}{@code value}; the option is read once, at start. */
    static TestServer startJnatsd(String config, String value) throws Exception {
        System.setProperty("jnatsd.tls.native", value);
        try {
            return TestServer.start(io.jnatsd.server.testing.Impl.JNATSD, config);
        } finally {
            System.clearProperty("jnatsd.tls.native");
        }
    }

    private static TestServer start(String server) throws Exception {
        String config = certs.tlsBlock("verify: true\n" + SLOW_MACHINE);
        return switch (server) {
            case "upstream" -> TestServer.start(io.jnatsd.server.testing.Impl.UPSTREAM, config);
            case "native" -> startNative(config);
            case "default" -> TestServer.start(io.jnatsd.server.testing.Impl.JNATSD, config);
            case "jdk" -> startJnatsd(config, "false");
            default -> throw new IllegalArgumentException(server);
        };
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "upstream, TLSv1.2, expired, bad_certificate",
        "upstream, TLSv1.3, expired, bad_certificate",
        "native,   TLSv1.2, expired, bad_certificate",
        "native,   TLSv1.3, expired, bad_certificate",
        "default,  TLSv1.2, expired, bad_certificate",
        "default,  TLSv1.3, expired, bad_certificate",
        "upstream, TLSv1.2, untrusted, bad_certificate",
        "upstream, TLSv1.3, untrusted, bad_certificate",
        "native,   TLSv1.2, untrusted, bad_certificate",
        "native,   TLSv1.3, untrusted, bad_certificate",
        "jdk,      TLSv1.2, expired, certificate_unknown",
        "jdk,      TLSv1.3, expired, certificate_unknown",
    })
    void aRefusedClientCertificateGetsTheAlert(String server, String protocol, String cert, String alert) throws Exception {
        // untrusted: signed by a CA the server does not know
        Path c = cert.equals("expired") ? expired.cert() : certs.rogueCert;
        Path k = cert.equals("expired") ? expired.key() : certs.rogueKey;
        try (TestServer s = start(server)) {
            SSLContext ctx = cert.equals("expired") ? certs.clientContext(c, k, protocol) : presentingAnyway(c, k, protocol);
            String failure = handshake(s, ctx, protocol);
            assertTrue(failure.startsWith("javax.net.ssl.SSLHandshakeException") && failure.contains("alert: " + alert),
                    server + " " + protocol + ": " + failure);
        }
    }

    /**
     * A valid client certificate still gets in over BoringSSL, on both versions, also with the
     * block's cipher suites and curves (which BoringSSL takes from the same names).
     */
    @ParameterizedTest
    @CsvSource({
        "TLSv1.2, ''",
        "TLSv1.3, ''",
        "TLSv1.2, 'cipher_suites: [\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\"]\ncurve_preferences: [\"CurveP384\"]'",
        "TLSv1.3, 'curve_preferences: [\"CurveP384\", \"CurveP256\"]'",
    })
    void aValidClientCertificateConnectsWithNativeTls(String protocol, String extra) throws Exception {
        try (TestServer s = startNative(certs.tlsBlock("verify: true\n" + SLOW_MACHINE + "\n" + extra))) {
            assertEquals("PONG", TlsResumptionTest.session(s, certs.clientContext(certs.aliceCert, certs.aliceKey, protocol), protocol));
        }
    }

    /**
     * A client that presents its certificate even when the server's list of acceptable CAs does
     * not name its issuer (the JDK's key manager would then send none, and a missing certificate
     * is another case), so that the server has to refuse the chain itself.
     */
    private static SSLContext presentingAnyway(Path cert, Path key, String protocol) throws Exception {
        X509ExtendedKeyManager km = new X509ExtendedKeyManager() {
            private final X509Certificate[] chain = io.jnatsd.server.net.PemFiles.certificates(cert).toArray(X509Certificate[]::new);
            private final PrivateKey pk = io.jnatsd.server.net.PemFiles.privateKey(key);

            @Override public String chooseEngineClientAlias(String[] t, Principal[] i, SSLEngine e) { return "me"; }
            @Override public String chooseClientAlias(String[] t, Principal[] i, Socket s) { return "me"; }
            @Override public String[] getClientAliases(String t, Principal[] i) { return new String[] {"me"}; }
            @Override public String[] getServerAliases(String t, Principal[] i) { return null; }
            @Override public String chooseServerAlias(String t, Principal[] i, Socket s) { return null; }
            @Override public X509Certificate[] getCertificateChain(String alias) { return chain; }
            @Override public PrivateKey getPrivateKey(String alias) { return pk; }
        };
        SSLContext ctx = SSLContext.getInstance(protocol);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", io.jnatsd.server.net.PemFiles.certificates(certs.caCert).get(0));
        tmf.init(ks);
        ctx.init(new KeyManager[] {km}, tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * INFO in plaintext, then the handshake, then a read: under TLS 1.3 the client's handshake is
     * done before the server has looked at its certificate, so the alert arrives on the read. The
     * socket under TLS drops write errors: a server that sends its alert and closes while the
     * client is still writing its TLS 1.2 flight would otherwise fail the client's write (reset,
     * broken pipe) before it reads the alert waiting in its receive buffer.
     * Returns the exception the client got, or what it read instead.
     */
    private static String handshake(TestServer s, SSLContext ctx, String protocol) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", s.port()) {
            @Override
            public OutputStream getOutputStream() throws IOException {
                OutputStream out = super.getOutputStream();
                return new OutputStream() {
                    @Override public void write(int b) { write(new byte[] {(byte) b}, 0, 1); }
                    @Override public void write(byte[] b, int off, int len) {
                        try {
                            out.write(b, off, len);
                        } catch (IOException ignored) {
                            // the alert, if any, is still to be read
                        }
                    }
                };
            }
        }) {
            plain.setSoTimeout(5000);
            String info = TlsResumptionTest.line(plain.getInputStream());
            if (info == null || !info.startsWith("INFO ")) return "no INFO: " + info;
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", s.port(), true);
            tls.setEnabledProtocols(new String[] {protocol});
            try {
                tls.startHandshake();
                int b = tls.getInputStream().read();
                return "read " + b;
            } catch (IOException e) {
                return e.toString();
            }
        }
    }
}
