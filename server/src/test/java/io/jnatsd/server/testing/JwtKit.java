package io.jnatsd.server.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.NKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes NATS operator, account and user keys and JWTs in tests, as nsc would: claims v2 JSON
 * ({@code iss}, {@code sub}, {@code iat}, {@code jti}, {@code nats: {type, version: 2, ...}}),
 * signed with ed25519 by the issuer's nkey, and {@code .creds} files that clients read.
 */
public final class JwtKit {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String HEADER = b64("{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}".getBytes(StandardCharsets.UTF_8));
    /** Version-1 tooling's header: the old algorithm name, which signed the claims part alone. */
    private static final String HEADER_V1 = b64("{\"typ\":\"jwt\",\"alg\":\"ed25519\"}".getBytes(StandardCharsets.UTF_8));

    private JwtKit() {
    }

    public static NKey operatorKey() {
        try {
            return NKey.createOperator(RANDOM);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static NKey accountKey() {
        try {
            return NKey.createAccount(RANDOM);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static NKey userKey() {
        try {
            return NKey.createUser(RANDOM);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pub(NKey k) {
        try {
            return new String(k.getPublicKey());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A claim set under construction: standard fields plus the {@code nats} section. */
    public static final class Claims {
        private final Map<String, Object> top = new LinkedHashMap<>();
        private final Map<String, Object> nats = new LinkedHashMap<>();
        private boolean v1;

        public Claims(String type, String subject, String name) {
            top.put("iat", System.currentTimeMillis() / 1000);
            top.put("name", name);
            top.put("sub", subject);
            nats.put("type", type);
            nats.put("version", 2);
        }

        /** A top-level claim ({@code exp}, {@code iat}, {@code nbf}, ...). */
        public Claims claim(String key, Object value) {
            top.put(key, value);
            return this;
        }

        /** A field of the {@code nats} section. */
        public Claims nats(String key, Object value) {
            nats.put(key, value);
            return this;
        }

        /**
         * Writes the claims as version-1 tooling did: the claim type, {@code tags} and
         * {@code issuer_account} at the top level, no {@code nats.version}, an activation's
         * import type as {@code nats.type}, the old header, the claims part alone signed.
         */
        public Claims v1() {
            v1 = true;
            return this;
        }

        /** Signs with {@code issuer}: the encoded JWT. */
        public String sign(NKey issuer) {
            try {
                Map<String, Object> body = new LinkedHashMap<>(top);
                Map<String, Object> section = new LinkedHashMap<>(nats);
                body.put("iss", pub(issuer));
                if (v1) {
                    body.put("type", section.remove("type"));
                    section.remove("version");
                    for (String moved : List.of("tags", "issuer_account")) {
                        if (section.containsKey(moved)) body.put(moved, section.remove(moved));
                    }
                    if (section.containsKey("kind")) section.put("type", section.remove("kind"));
                }
                body.put("nats", section);
                body.put("jti", "");
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(body));
                body.put("jti", Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 40).toUpperCase());
                String payload = b64(JSON.writeValueAsBytes(body));
                String header = v1 ? HEADER_V1 : HEADER;
                byte[] sig = issuer.sign((v1 ? payload : header + "." + payload).getBytes(StandardCharsets.US_ASCII));
                return header + "." + payload + "." + b64(sig);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static Claims operator(NKey operator, String name) {
        return new Claims("operator", pub(operator), name);
    }

    /** Account claims with unlimited limits, as nsc writes them. */
    public static Claims account(NKey account, String name) {
        Map<String, Object> limits = new LinkedHashMap<>();
        for (String k : List.of("subs", "data", "payload", "imports", "exports", "conn", "leaf")) limits.put(k, -1);
        limits.put("wildcards", true);
        return new Claims("account", pub(account), name).nats("limits", limits);
    }

    public static Claims user(NKey user, String name) {
        Map<String, Object> n = new LinkedHashMap<>();
        return new Claims("user", pub(user), name).nats("pub", n).nats("sub", new LinkedHashMap<>())
                .nats("subs", -1).nats("data", -1).nats("payload", -1);
    }

    /** {@code {"allow": [...], "deny": [...]}} (null lists left out). */
    public static Map<String, Object> perm(List<String> allow, List<String> deny) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (allow != null) m.put("allow", allow);
        if (deny != null) m.put("deny", deny);
        return m;
    }

    /** Account limits with the given overrides (the rest unlimited). */
    public static Map<String, Object> limits(Object... keyValues) {
        Map<String, Object> limits = new LinkedHashMap<>();
        for (String k : List.of("subs", "data", "payload", "imports", "exports", "conn", "leaf")) limits.put(k, -1);
        limits.put("wildcards", true);
        for (int i = 0; i < keyValues.length; i += 2) limits.put((String) keyValues[i], keyValues[i + 1]);
        return limits;
    }

    public static Map<String, Object> export(String type, String subject) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", subject);
        m.put("subject", subject);
        m.put("type", type);
        return m;
    }

    public static Map<String, Object> importOf(String type, String account, String subject, String to) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", subject);
        m.put("subject", subject);
        m.put("account", account);
        if (to != null) m.put("to", to);
        m.put("type", type);
        return m;
    }

    public static List<Object> list(Object... items) {
        return new ArrayList<>(List.of(items));
    }

    /** The text of a {@code .creds} file: the user JWT and the user's seed. */
    public static String creds(String jwt, NKey user) {
        return "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n"
                + "************************* IMPORTANT *************************\n"
                + "NKEY Seed printed below can be used to sign and prove identity.\n"
                + "NKEYs are sensitive and should be treated as secrets.\n\n"
                + "-----BEGIN USER NKEY SEED-----\n" + new String(user.getSeed()) + "\n------END USER NKEY SEED------\n\n"
                + "*************************************************************\n";
    }

    /** Writes a {@code .creds} file into {@code dir}. */
    public static Path writeCreds(Path dir, String name, String jwt, NKey user) throws IOException {
        Path p = dir.resolve(name + ".creds");
        Files.writeString(p, creds(jwt, user));
        return p;
    }

    /** The user's signature of a nonce, RawURL base64, as clients send it in CONNECT's {@code sig}. */
    public static String signNonce(NKey user, String nonce) {
        try {
            return b64(user.sign(nonce.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
