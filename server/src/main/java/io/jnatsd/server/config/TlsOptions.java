package io.jnatsd.server.config;

import java.time.Duration;
import java.util.List;

/**
 * A {@code tls {}} block (or the {@code --tls*} flags) as upstream reads it. File names are used
 * as written (relative ones against the working directory, as upstream opens them).
 */
public final class TlsOptions {
    /** Upstream's TLS_TIMEOUT: how long a TLS handshake may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public String certFile;
    public String keyFile;
    public String caFile;
    /** Require and verify a client certificate (mutual TLS). */
    public boolean verify;
    /** {@code verify_and_map}: verify, and take the user from the client certificate. */
    public boolean verifyAndMap;
    public boolean insecure;
    /**
     * {@code verify_cert_and_check_known_urls} (routes only): verify the peer's certificate and match its names
     * against the URLs this server knows for that peer.
     */
    public boolean checkKnownUrls;
    public Duration timeout = DEFAULT_TIMEOUT;
    /** Upstream (Go) cipher suite names; null for upstream's defaults. */
    public List<String> cipherSuites;
    /** Upstream (Go) curve names (X25519, CurveP256, ...); null for upstream's defaults. */
    public List<String> curvePreferences;
    /** {@code "1.2"} or {@code "1.3"}; null for 1.2. */
    public String minVersion;
    /** TLS before INFO (upstream 2.10 {@code handshake_first}). */
    public boolean handshakeFirst;
    /** With {@link #handshakeFirst}: send INFO in plaintext after this long without a client byte (0: never). */
    public Duration handshakeFirstFallback = Duration.ZERO;
    /** Hex SHA-256 of accepted client certificates' SubjectPublicKeyInfo; null or empty for any. */
    public List<String> pinnedCerts;
    /** {@code connection_rate_limit}: accepted, not enforced yet. */
    public long rateLimit;

    /** A field-by-field copy (the lists are immutable or replaced whole, never changed in place). */
    public TlsOptions copy() {
        TlsOptions t = new TlsOptions();
        t.certFile = certFile;
        t.keyFile = keyFile;
        t.caFile = caFile;
        t.verify = verify;
        t.verifyAndMap = verifyAndMap;
        t.insecure = insecure;
        t.checkKnownUrls = checkKnownUrls;
        t.timeout = timeout;
        t.cipherSuites = cipherSuites;
        t.curvePreferences = curvePreferences;
        t.minVersion = minVersion;
        t.handshakeFirst = handshakeFirst;
        t.handshakeFirstFallback = handshakeFirstFallback;
        t.pinnedCerts = pinnedCerts;
        t.rateLimit = rateLimit;
        return t;
    }

    /** Built from the {@code --tls*} flags alone, as upstream's overrideTLS does. */
    public static TlsOptions fromFlags(ServerOptions o) {
        TlsOptions t = new TlsOptions();
        t.certFile = o.tlsCert;
        t.keyFile = o.tlsKey;
        t.caFile = o.tlsCaCert;
        t.verify = o.tlsVerify;
        return t;
    }
}
