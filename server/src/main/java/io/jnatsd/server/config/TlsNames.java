package io.jnatsd.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's TLS names (Go's crypto/tls constants, as {@code cipher_suites} and
 * {@code curve_preferences} take them) and the JDK's names for the same suites and groups.
 * A value of null marks a suite upstream accepts but the JDK does not implement (RC4).
 */
public final class TlsNames {
    private TlsNames() {
    }

    /** Upstream cipher suite name to the JDK's (IANA) name. */
    public static final Map<String, String> CIPHERS;
    /** Upstream curve name to the JDK's named group. */
    public static final Map<String, String> CURVES = Map.of(
            "X25519", "x25519", "CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1");

    /** Upstream's default TLS 1.2 suites, in its order of preference. */
    public static final List<String> DEFAULT_CIPHERS = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    /** Upstream's default curve order. */
    public static final List<String> DEFAULT_CURVES = List.of("X25519", "CurveP256", "CurveP384", "CurveP521");
    /** TLS 1.3 suites: Go does not let them be configured, so they are always on. */
    public static final List<String> TLS13_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("TLS_RSA_WITH_RC4_128_SHA", null);
        m.put("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
        m.put("TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA");
        m.put("TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256");
        m.put("TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA");
        m.put("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256");
        m.put("TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384");
        m.put("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", null);
        m.put("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
        m.put("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
        m.put("TLS_ECDHE_RSA_WITH_RC4_128_SHA", null);
        m.put("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA");
        m.put("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
        m.put("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
        m.put("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256");
        m.put("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
        m.put("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        m.put("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        m.put("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        m.put("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        // Go names these without the hash, the IANA/JDK names carry it.
        m.put("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        m.put("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
        m.put("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        m.put("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
        m.put("TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256");
        m.put("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384");
        m.put("TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256");
        CIPHERS = java.util.Collections.unmodifiableMap(m);
    }
}
