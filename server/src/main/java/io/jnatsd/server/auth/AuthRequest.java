package io.jnatsd.server.auth;

import io.jnatsd.protocol.client.ConnectOptions;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a client presents to be authenticated: its CONNECT options, the nonce the server sent
 * it in INFO (null when none was sent), the certificate chain it showed in the TLS handshake
 * (empty without TLS or without a client certificate), and its connection type
 * ({@link #STANDARD} for a NATS client).
 */
public record AuthRequest(ConnectOptions connect, String nonce, List<X509Certificate> peerCertificates,
                          String connectionType) {
    public static final String STANDARD = "STANDARD";

    public AuthRequest {
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
        if (connectionType == null) connectionType = STANDARD;
    }

    public static AuthRequest standard(ConnectOptions connect, String nonce, List<X509Certificate> peerCertificates) {
        return new AuthRequest(connect, nonce, peerCertificates, STANDARD);
    }
}
