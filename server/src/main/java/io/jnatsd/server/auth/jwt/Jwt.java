package io.jnatsd.server.auth.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.jnatsd.server.auth.NKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * A decoded NATS JWT whose signature has been verified: the standard claims and the
 * NATS-specific {@code nats} section. The token is three base64url (unpadded) parts: a header
 * {@code {"typ":"JWT","alg":"ed25519-nkey"}}, the claims JSON, and the ed25519 signature of
 * {@code header.claims} (claims version 2) by the nkey named in {@code iss}.
 * What the signature proves is only who signed; whether that signer is trusted is the caller's
 * question.
 */
public record Jwt(String raw, String issuer, String subject, String name, String id, long issuedAt, long expires,
                  long notBefore, String type, int version, JsonNode nats) {
    /** Claim types. */
    public static final String OPERATOR = "operator";
    public static final String ACCOUNT = "account";
    public static final String USER = "user";
    public static final String ACTIVATION = "activation";

    /** Larger tokens are refused before any parsing (upstream's jwt library limit is far above real tokens). */
    private static final int MAX_TOKEN_SIZE = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Decodes {@code token} and verifies its signature by its issuer; throws {@link JwtException}
     * naming the problem when it is malformed, of an unsupported kind or badly signed.
     */
    public static Jwt decode(String token) throws JwtException {
        return decode(token, false);
    }

    /**
     * Decodes claims of any kind, as upstream's generic decoding does (delete requests): the
     * version is not required, and the header's algorithm says what was signed
     * ({@code ed25519-nkey}: header and claims; {@code ed25519}: the claims alone).
     */
    public static Jwt decodeGeneric(String token) throws JwtException {
        return decode(token, true);
    }

    private static Jwt decode(String token, boolean generic) throws JwtException {
        if (token == null || token.isEmpty()) throw new JwtException("empty token");
        if (token.length() > MAX_TOKEN_SIZE) throw new JwtException("token too large");
        String trimmed = token.trim();
        int dot1 = trimmed.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : trimmed.indexOf('.', dot1 + 1);
        if (dot1 < 0 || dot2 < 0 || trimmed.indexOf('.', dot2 + 1) >= 0) throw new JwtException("expected 3 chunks");
        boolean v2Algorithm = checkHeader(json(trimmed.substring(0, dot1), "header"));
        JsonNode claims = json(trimmed.substring(dot1 + 1, dot2), "claims");
        if (!claims.isObject()) throw new JwtException("claims are not a JSON object");
        byte[] sig = base64(trimmed.substring(dot2 + 1), "signature");
        JsonNode nats = claims.path("nats");
        int version = nats.path("version").asInt(1);
        if (!generic && version < 2) throw new JwtException("JWT version 1 claims are not supported");
        String issuer = claims.path("iss").asText("");
        boolean wholeToken = generic ? v2Algorithm : true;
        String signedPart = wholeToken ? trimmed.substring(0, dot2) : trimmed.substring(dot1 + 1, dot2);
        if (!NKeys.verify(issuer, signedPart.getBytes(StandardCharsets.US_ASCII), sig)) {
            throw new JwtException("claim failed " + (wholeToken ? "V2" : "V1") + " signature verification");
        }
        String type = nats.path("type").asText("").toLowerCase(Locale.ROOT);
        return new Jwt(trimmed, issuer, claims.path("sub").asText(""), claims.path("name").asText(""),
                claims.path("jti").asText(""), claims.path("iat").asLong(0), claims.path("exp").asLong(0),
                claims.path("nbf").asLong(0), type, version, nats.isMissingNode() ? MissingNode.getInstance() : nats);
    }

    /** Decodes and checks that the claims are of {@code type} and signed by a key of one of the {@code issuerRoles}. */
    static Jwt decode(String token, String type, int... issuerRoles) throws JwtException {
        Jwt jwt = decode(token);
        if (!jwt.type.equals(type)) throw new JwtException("not " + type + " claims (type \"" + jwt.type + "\")");
        int role = NKeys.role(jwt.issuer);
        boolean ok = false;
        for (int r : issuerRoles) ok |= r == role;
        if (!ok) throw new JwtException("issuer " + jwt.issuer + " may not sign " + type + " claims");
        return jwt;
    }

    /** Whether the claims are expired or not yet valid at {@code nowSeconds} (upstream's time checks). */
    public boolean timeInvalid(long nowSeconds) {
        return (expires > 0 && nowSeconds > expires) || (notBefore > 0 && notBefore > nowSeconds);
    }

    public boolean isExpired(long nowSeconds) {
        return expires > 0 && nowSeconds > expires;
    }

    /** Checks the header; true for the v2 algorithm name ({@code ed25519-nkey}). */
    private static boolean checkHeader(JsonNode header) throws JwtException {
        String typ = header.path("typ").asText("");
        if (!typ.toUpperCase(Locale.ROOT).equals("JWT")) throw new JwtException("not supported type \"" + typ + "\"");
        String alg = header.path("alg").asText("").toLowerCase(Locale.ROOT);
        if (!alg.equals("ed25519-nkey") && !alg.equals("ed25519")) {
            throw new JwtException("unexpected \"" + header.path("alg").asText("") + "\" algorithm");
        }
        return alg.equals("ed25519-nkey");
    }

    private static JsonNode json(String part, String what) throws JwtException {
        try {
            return JSON.readTree(base64(part, what));
        } catch (IOException e) {
            throw new JwtException("bad " + what + " JSON");
        }
    }

    private static byte[] base64(String part, String what) throws JwtException {
        if (part.indexOf('=') >= 0) throw new JwtException("bad " + what + " encoding");
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new JwtException("bad " + what + " encoding");
        }
    }

    /** The current time in seconds, as claims count it. */
    public static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
