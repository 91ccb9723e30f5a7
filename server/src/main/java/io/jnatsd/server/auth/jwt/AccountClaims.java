package io.jnatsd.server.auth.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.auth.NKeys;
import io.jnatsd.server.auth.Permissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An account JWT (claims v2), signed by an operator key: the account's public key is its
 * subject (and the account's name inside the server). Fields are read as upstream's jwt library
 * reads them, absent numbers being 0 (so an absent {@code conn} limit allows no connection;
 * tools write -1 for "no limit").
 *
 * @param signingKeys the keys that may sign user JWTs besides the account itself, each with its
 *                    user scope or null for a plain signing key
 * @param revocations user public key (or {@code *} for all) → time (seconds): user JWTs issued
 *                    at or before it are refused
 */
public record AccountClaims(Jwt jwt, Map<String, UserScope> signingKeys, Limits limits, List<Export> exports,
                            List<Import> imports, Map<String, Long> revocations, Permissions defaultPermissions) {
    /** Account limits; -1 is no limit. {@code data} and {@code leaf} are read but not enforced. */
    public record Limits(long conn, long subs, long payload, long data, long leaf, boolean disallowBearer) {}

    /** An export: {@code type} is "stream" or "service". {@code responseType} is Singleton, Stream or Chunked. */
    public record Export(String subject, boolean service, boolean tokenRequired, String responseType,
                         Duration responseThreshold) {}

    /**
     * An import, as the claims write it: for a stream, {@code subject} is the exporter's and
     * {@code to} a prefix (or {@code localSubject} a mapping); for a service, {@code subject} is
     * the importer's local subject and {@code to} the exporter's, unless {@code localSubject} is
     * set, which makes {@code subject} the exporter's.
     */
    public record Import(String subject, String account, String token, String to, String localSubject, boolean service) {}

    /** A scoped signing key: users it signs get the template's permissions and limits instead of their own. */
    public record UserScope(String key, String role, UserClaims.Grant template) {}

    public static AccountClaims decode(String token) throws JwtException {
        Jwt jwt = Jwt.decode(token, Jwt.ACCOUNT, NKeys.PREFIX_OPERATOR, NKeys.PREFIX_ACCOUNT);
        if (!NKeys.isValidPublicAccountKey(jwt.subject())) throw new JwtException("account subject is not an account key");
        JsonNode n = jwt.nats();
        JsonNode l = n.path("limits");
        Limits limits = new Limits(Fields.number(l, "conn"), Fields.number(l, "subs"), Fields.number(l, "payload"),
                Fields.number(l, "data"), Fields.number(l, "leaf"), Fields.bool(l, "disallow_bearer"));
        Map<String, Long> revocations = new LinkedHashMap<>();
        n.path("revocations").fields().forEachRemaining(e -> revocations.put(e.getKey(), e.getValue().asLong(0)));
        Permissions defaults = JwtPermissions.read(n.path("default_permissions"));
        return new AccountClaims(jwt, Collections.unmodifiableMap(signingKeys(n.path("signing_keys"))), limits,
                List.copyOf(exports(n.path("exports"))), List.copyOf(imports(n.path("imports"))),
                Collections.unmodifiableMap(revocations), defaults);
    }

    public String subject() {
        return jwt.subject();
    }

    public String issuer() {
        return jwt.issuer();
    }

    public String name() {
        return jwt.name();
    }

    /** Whether {@code key} may sign this account's user JWTs: the account itself or one of its signing keys. */
    public boolean hasIssuer(String key) {
        return key.equals(subject()) || signingKeys.containsKey(key);
    }

    /**
     * Whether a user JWT for {@code userKey} issued at {@code issuedAt} (seconds) is revoked: a
     * revocation for it, or for everyone ({@code *}), at or after that time.
     */
    public boolean isRevoked(String userKey, long issuedAt) {
        Long t = revocations.get(userKey);
        if (t != null && t >= issuedAt) return true;
        Long all = revocations.get("*");
        return all != null && all >= issuedAt;
    }

    private static Map<String, UserScope> signingKeys(JsonNode n) throws JwtException {
        Map<String, UserScope> out = new LinkedHashMap<>();
        if (!n.isArray()) return out;
        for (JsonNode e : n) {
            if (e.isTextual()) {
                if (!NKeys.isValidPublicAccountKey(e.asText())) {
                    throw new JwtException("\"" + e.asText() + "\" is not a valid account signing key");
                }
                out.put(e.asText(), null);
            } else if (e.isObject()) {
                if (!"user_scope".equals(Fields.text(e, "kind"))) {
                    throw new JwtException("unknown signing key scope \"" + Fields.text(e, "kind") + "\"");
                }
                String key = Fields.text(e, "key");
                if (!NKeys.isValidPublicAccountKey(key)) throw new JwtException(key + " is not an account public key");
                out.put(key, new UserScope(key, Fields.text(e, "role"), UserClaims.Grant.read(e.path("template"))));
            }
        }
        return out;
    }

    private static List<Export> exports(JsonNode n) {
        List<Export> out = new ArrayList<>();
        if (!n.isArray()) return out;
        for (JsonNode e : n) {
            String type = Fields.text(e, "type").toLowerCase(Locale.ROOT);
            if (!type.equals("stream") && !type.equals("service")) continue;
            String rt = Fields.text(e, "response_type");
            out.add(new Export(Fields.text(e, "subject"), type.equals("service"), Fields.bool(e, "token_req"),
                    rt.isEmpty() ? "Singleton" : rt, Fields.duration(e, "response_threshold")));
        }
        return out;
    }

    private static List<Import> imports(JsonNode n) {
        List<Import> out = new ArrayList<>();
        if (!n.isArray()) return out;
        for (JsonNode e : n) {
            String type = Fields.text(e, "type").toLowerCase(Locale.ROOT);
            if (!type.equals("stream") && !type.equals("service")) continue;
            out.add(new Import(Fields.text(e, "subject"), Fields.text(e, "account"), Fields.text(e, "token"),
                    Fields.text(e, "to"), Fields.text(e, "local_subject"), type.equals("service")));
        }
        return out;
    }
}
