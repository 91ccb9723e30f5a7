package io.jnatsd.server.auth;

import io.jnatsd.protocol.client.ConnectOptions;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a client presents to be authenticated: its CONNECT options, the nonce the server sent
 * it in INFO (null when none was sent), the certificate chain it showed in the TLS handshake
 * (empty without TLS or without a client certificate), its connection type
 * ({@link #STANDARD} for a NATS client) and its address (null when unknown; user JWTs may limit
 * it).
 */
public record AuthRequest(ConnectOptions connect, String nonce, List<X509Certificate> peerCertificates,
                          String connectionType, InetAddress remoteAddress) {
    public static final String STANDARD = "STANDARD";
    /** Connection types a user may be limited to (upstream's jwt constants, upper case). */
    public static final java.util.Set<String> CONNECTION_TYPES = java.util.Set.of(
            "STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS", "IN_PROCESS");

    public AuthRequest {
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
        if (connectionType == null) connectionType = STANDARD;
    }

    public static AuthRequest standard(ConnectOptions connect, String nonce, List<X509Certificate> peerCertificates) {
        return new AuthRequest(connect, nonce, peerCertificates, STANDARD, null);
    }

    public static AuthRequest standard(ConnectOptions connect, String nonce, List<X509Certificate> peerCertificates,
                                       InetAddress remoteAddress) {
        return new AuthRequest(connect, nonce, peerCertificates, STANDARD, remoteAddress);
    }
}
