package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestCerts;
import io.jnatsd.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** New certificates after a reload are what the next TLS client meets, on jnatsd as on upstream. */
class TlsReloadTest {
    private static String tls(Path cert, Path key) {
        return "tls { cert_file: \"" + cert + "\", key_file: \"" + key + "\" }";
    }

    /** The key algorithm of the certificate the server presents to a new client (INFO, then the upgrade). */
    private static String presentedKey(TestServer s, TestCerts certs) throws Exception {
        try (Socket plain = new Socket("127.0.0.1", s.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.UTF_8));
            in.readLine(); // INFO
            try (SSLSocket tls = (SSLSocket) certs.clientContext(null, null).getSocketFactory()
                    .createSocket(plain, "127.0.0.1", s.port(), true)) {
                tls.startHandshake();
                return tls.getSession().getPeerCertificates()[0].getPublicKey().getAlgorithm();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void reloadedCertificatesServeTheNextConnection(Impl impl) throws Exception {
        TestCerts certs = TestCerts.get();
        try (TestServer s = TestServer.start(impl, tls(certs.serverCert, certs.serverKey))) {
            assertEquals("EC", presentedKey(s, certs));
            assertNull(s.reload(tls(certs.rsaServerCert, certs.rsaServerKeyPkcs1)));
            assertEquals("RSA", presentedKey(s, certs));
        }
    }
}
