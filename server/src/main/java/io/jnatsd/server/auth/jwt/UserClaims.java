package io.jnatsd.server.auth.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.auth.NKeys;
import io.jnatsd.server.auth.Permissions;
import java.util.List;

/**
 * A user JWT (claims v2, or v1 migrated by {@link Jwt}), signed by its account or by one of the
 * account's signing keys (then {@code issuer_account} names the account). The user's public key
 * is its subject: the client proves it holds the key by signing the server's nonce, unless the
 * JWT is a bearer token.
 */
public record UserClaims(Jwt jwt, String issuerAccount, Grant grant, List<String> tags) {
    /**
     * What a user may do (upstream's UserPermissionLimits): permissions (null when none are
     * set), limits (absent numbers are 0, -1 is no limit), bearer token, allowed connection types,
     * source networks and connect time windows. Also the template of a scoped signing key.
     *
     * @param empty whether nothing at all is set (a user signed by a scoped key must be so)
     */
    public record Grant(Permissions permissions, long subs, long payload, long data, boolean bearerToken,
                        List<String> allowedConnectionTypes, List<String> src, List<TimeRange> times, String timesLocation,
                        boolean empty) {
        static Grant read(JsonNode n) {
            Permissions p = JwtPermissions.read(n);
            List<String> types = List.copyOf(Fields.strings(n.path("allowed_connection_types")));
            List<String> src = List.copyOf(Fields.cidrs(n.path("src")));
            List<TimeRange> times = new java.util.ArrayList<>();
            for (JsonNode t : n.path("times")) times.add(new TimeRange(Fields.text(t, "start"), Fields.text(t, "end")));
            long subs = Fields.number(n, "subs");
            long payload = Fields.number(n, "payload");
            long data = Fields.number(n, "data");
            boolean bearer = Fields.bool(n, "bearer_token");
            String locale = Fields.text(n, "times_location");
            boolean empty = JwtPermissions.isEmpty(n) && types.isEmpty() && src.isEmpty() && times.isEmpty()
                    && subs == 0 && payload == 0 && data == 0 && !bearer && locale.isEmpty()
                    && !Fields.bool(n, "proxy_required");
            return new Grant(p, subs, payload, data, bearer, types, src, List.copyOf(times), locale, empty);
        }
    }

    /** A daily window ("HH:MM:SS" start and end) in which the user may connect. */
    public record TimeRange(String start, String end) {}

    public static UserClaims decode(String token) throws JwtException {
        Jwt jwt = Jwt.decode(token, Jwt.USER, NKeys.PREFIX_ACCOUNT);
        if (!NKeys.isValidPublicUserKey(jwt.subject())) throw new JwtException("user subject is not a user key");
        String issuerAccount = Fields.text(jwt.nats(), "issuer_account");
        if (!issuerAccount.isEmpty() && !NKeys.isValidPublicAccountKey(issuerAccount)) {
            throw new JwtException("account_id is not an account public key");
        }
        return new UserClaims(jwt, issuerAccount, Grant.read(jwt.nats()), List.copyOf(Fields.strings(jwt.nats().path("tags"))));
    }

    public String subject() {
        return jwt.subject();
    }

    public String issuer() {
        return jwt.issuer();
    }

    /** The account this user belongs to: {@code issuer_account} when a signing key signed it, else the issuer. */
    public String account() {
        return issuerAccount.isEmpty() ? jwt.issuer() : issuerAccount;
    }
}
