package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestCerts;
import io.jnatsd.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client whose certificate was valid when it first connected must not get back in by resuming
 * its TLS session once the certificate has expired (TLS 1.2 session ids and TLS 1.3 tickets).
 * Each client keeps one SSLContext, so its second connection offers the saved session.
 */
class TlsResumptionTest {

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anExpiredClientCertificateCannotResumeItsSession(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(impl, certs.tlsBlock("verify: true"))) {
            cannotResumeOnceExpired(s, certs);
        }
    }

    /**
     * The same with the JDK's TLS on jnatsd's client listener ({@code -Djnatsd.tls.native=false}; BoringSSL
     * serves it by default).
     */
    @org.junit.jupiter.api.Test
    void anExpiredClientCertificateCannotResumeItsSessionWithJdkTls() throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TlsBadCertificateTest.startJnatsd(certs.tlsBlock("verify: true"), "false")) {
            cannotResumeOnceExpired(s, certs);
        }
    }

    private static void cannotResumeOnceExpired(TestServer s, TestCerts certs) throws Exception {
        TestCerts.ClientCert carol = certs.clientValidFor(Duration.ofSeconds(2));
        SSLContext tls12 = certs.clientContext(carol.cert(), carol.key(), "TLSv1.2");
        SSLContext tls13 = certs.clientContext(carol.cert(), carol.key(), "TLSv1.3");
        assertEquals("PONG", session(s, tls12, "TLSv1.2"), "TLS 1.2 while the certificate is valid");
        assertEquals("PONG", session(s, tls13, "TLSv1.3"), "TLS 1.3 while the certificate is valid");

        TestServer.await(10_000, carol::expired);
        assertNotEquals("PONG", session(s, tls12, "TLSv1.2"), "TLS 1.2 after the certificate expired");
        assertNotEquals("PONG", session(s, tls13, "TLSv1.3"), "TLS 1.3 after the certificate expired");
    }

    /**
     * A NATS connection as clients make one: INFO in plaintext, the TLS upgrade, CONNECT and PING.
     * Returns the server's answer to the PING, or what went wrong.
     */
    static String session(TestServer s, SSLContext ctx, String protocol) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", s.port())) {
            plain.setSoTimeout(5000);
            String info = line(plain.getInputStream());
            if (info == null || !info.startsWith("INFO ")) return "no INFO: " + info;
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", s.port(), true);
            tls.setEnabledProtocols(new String[] {protocol});
            try {
                tls.startHandshake();
                tls.getOutputStream().write("CONNECT {\"verbose\":false}\r\nPING\r\n".getBytes(StandardCharsets.UTF_8));
                tls.getOutputStream().flush();
                String reply = line(tls.getInputStream());
                return reply == null ? "<closed>" : reply;
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    /** One line without CRLF, read a byte at a time so nothing after it is consumed; null at end of stream. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') b.write(c);
        if (c == -1 && b.size() == 0) return null;
        return b.toString(StandardCharsets.UTF_8).stripTrailing();
    }
}
