package io.jnatsd.server.config;

import static io.jnatsd.server.config.ConfigReader.typeName;

import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Upstream's parseTLS: a {@code tls {}} block, for clients (top level) or for routes (inside {@code cluster}). */
final class TlsBlock {
    private final ConfigReader r;
    /** Upstream allows verify_cert_and_check_known_urls only where the server also dials out (routes, gateways). */
    private final boolean dialsOut;

    private TlsBlock(ConfigReader r, boolean dialsOut) {
        this.r = r;
        this.dialsOut = dialsOut;
    }

    /** The client {@code tls} block. */
    static TlsOptions client(ConfigReader r, Object v) {
        return new TlsBlock(r, false).parse(v);
    }

    /** The {@code cluster.tls} block. */
    static TlsOptions route(ConfigReader r, Object v) {
        return new TlsBlock(r, true).parse(v);
    }

    private TlsOptions parse(Object v) {
        if (!(v instanceof ConfMap tm)) throw r.error("Expected map to define tls, got " + typeName(v));
        TlsOptions t = new TlsOptions();
        r.eachKey(tm, (mk, k, mv) -> field(t, mk, k, mv));
        if (t.certFile != null && t.keyFile == null) throw r.error("missing 'key_file' in TLS configuration");
        if (t.certFile == null && t.keyFile != null) throw r.error("missing 'cert_file' in TLS configuration");
        return t;
    }

    private void field(TlsOptions t, String mk, String k, Object mv) {
        switch (k) {
            case "cert_file", "key_file", "ca_file" -> {
                if (!(mv instanceof String s)) {
                    throw r.error("error parsing tls config, expected '" + k + "' to be filename");
                }
                switch (k) {
                    case "cert_file" -> t.certFile = s;
                    case "key_file" -> t.keyFile = s;
                    default -> t.caFile = s;
                }
            }
            case "insecure" -> t.insecure = bool(k, mv);
            case "verify" -> t.verify = bool(k, mv);
            case "verify_and_map" -> {
                boolean b = bool(k, mv);
                if (b) t.verify = true;
                t.verifyAndMap = b;
            }
            case "verify_cert_and_check_known_urls" -> {
                boolean b = bool(k, mv);
                if (b && !dialsOut) throw r.error("verify_cert_and_check_known_urls not supported in this context");
                if (b) t.verify = true;
                t.checkKnownUrls = b;
            }
            case "cipher_suites" -> t.cipherSuites = names(k, mv, TlsNames.CIPHERS.keySet(), "unrecognized cipher ");
            case "curve_preferences" ->
                    t.curvePreferences = names(k, mv, TlsNames.CURVES.keySet(), "unrecognized curve preference ");
            case "timeout" -> t.timeout = switch (mv) {
                case Long l -> Duration.ofSeconds(l);
                case Double d -> Duration.ofNanos((long) (d * 1e9));
                case String s -> {
                    try {
                        yield GoDuration.parse(s);
                    } catch (IllegalArgumentException ex) {
                        throw r.error("error parsing tls config, 'timeout' " + ex.getMessage());
                    }
                }
                default -> throw r.error("error parsing tls config, 'timeout' wrong type");
            };
            case "connection_rate_limit" -> {
                if (!(mv instanceof Long l)) throw r.error("error parsing tls config, 'connection_rate_limit' wrong type");
                t.rateLimit = l;
            }
            case "pinned_certs" -> t.pinnedCerts = pins(mv);
            case "min_version" -> {
                if (!(mv instanceof String s)) throw r.error("error parsing tls config: 'min_version' wrong type: " + mv);
                switch (s) {
                    case "1.2", "1.3" -> t.minVersion = s;
                    case "1.0", "1.1" -> throw r.error("error parsing tls config: unsupported TLS version: TLS " + s);
                    default -> throw r.error("error parsing tls config: unknown version: " + s);
                }
            }
            case "handshake_first", "first", "immediate" -> handshakeFirst(t, mk, mv);
            default -> throw r.error("error parsing tls config, unknown field [\"" + mk + "\"]");
        }
    }

    private List<String> pins(Object mv) {
        if (!(mv instanceof List<?> l)) {
            throw r.error("error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
        }
        List<String> pins = new ArrayList<>();
        for (Object o : l) {
            String entry = String.valueOf(o).toLowerCase(Locale.ROOT);
            if (!entry.matches("^[a-f0-9]{64}$")) {
                throw r.error("error parsing tls config, 'pinned_certs' key " + entry
                        + " does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
            }
            pins.add(entry);
        }
        return pins;
    }

    private void handshakeFirst(TlsOptions t, String mk, Object mv) {
        if (mv instanceof Boolean b) {
            t.handshakeFirst = b;
            return;
        }
        if (!(mv instanceof String s)) {
            throw r.error("field \"" + mk + "\" should be a boolean or a string, got " + typeName(mv));
        }
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "on" -> t.handshakeFirst = true;
            case "false", "off" -> t.handshakeFirst = false;
            case "auto", "auto_fallback" -> {
                t.handshakeFirst = true;
                t.handshakeFirstFallback = Duration.ofMillis(50);
            }
            default -> {
                try {
                    t.handshakeFirstFallback = GoDuration.parse(s);
                    t.handshakeFirst = true;
                } catch (IllegalArgumentException ex) {
                    throw r.error("field \"" + mk + "\"'s value \"" + s + "\" is invalid");
                }
            }
        }
    }

    private boolean bool(String k, Object v) {
        if (v instanceof Boolean b) return b;
        throw r.error("error parsing tls config, expected '" + k + "' to be a boolean");
    }

    private List<String> names(String k, Object v, Set<String> known, String unknownPrefix) {
        if (!(v instanceof List<?> l)) throw r.error("error parsing tls config, '" + k + "' must be an array");
        if (l.isEmpty()) throw r.error("error parsing tls config, '" + k + "' cannot be empty");
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            String name = String.valueOf(o);
            if (!known.contains(name)) throw r.error(unknownPrefix + name);
            out.add(name);
        }
        return out;
    }
}
