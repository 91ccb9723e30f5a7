package io.jnatsd.server.auth.jwt;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.auth.AuthRequest;
import io.jnatsd.server.auth.NKeys;
import io.jnatsd.server.auth.Permissions;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.log.ServerLog;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a client's user JWT in operator mode, in upstream's order: the JWT decodes and its
 * signature holds, it is within its time bounds, the connection type is allowed, its account
 * is found and trusted (signed by an operator key, not expired), the account (or one of its
 * signing keys) signed the user, a bearer token is allowed or else the client signed the INFO
 * nonce with the user's key, the user is not revoked, and its source address and connect time
 * window fit. The user then gets its JWT's permissions (or the scoped key's template, or else
 * the account's default permissions). Failures are logged at debug level with upstream's words.
 */
public final class JwtAuthentication {
    private final OperatorMode mode;
    private final ServerLog log;

    public JwtAuthentication(OperatorMode mode, ServerLog log) {
        this.mode = mode;
        this.log = log;
    }

    /** Who the client is, or null when it must be refused. */
    public User authenticate(AuthRequest req) {
        ConnectOptions c = req.connect();
        if (c.jwt == null || c.jwt.isEmpty()) return refuse("Authentication requires a user JWT");
        UserClaims user;
        try {
            user = UserClaims.decode(c.jwt);
        } catch (JwtException e) {
            return refuse("User JWT not valid: " + e.getMessage());
        }
        long now = Jwt.now();
        if (user.jwt().timeInvalid(now) || !wellFormed(user.grant())) return refuse("User JWT no longer valid");
        Set<String> types = connectionTypes(user.grant());
        if (types == null) return null;
        if (!types.isEmpty() && !types.contains(req.connectionType())) return refuse("Connection type not allowed");
        AccountClaims account;
        try {
            account = mode.account(user.account());
        } catch (JwtException e) {
            return refuse("Account JWT lookup error: " + e.getMessage());
        }
        if (!account.hasIssuer(user.issuer())) return refuse("User JWT issuer is not known");
        UserClaims.Grant grant = user.grant();
        Permissions permissions = grant.permissions();
        AccountClaims.UserScope scope = account.signingKeys().get(user.issuer());
        if (scope != null) {
            if (!grant.empty()) return refuse("User JWT is not valid: scoped users require no permissions or limits set");
            grant = scope.template();
            try {
                permissions = PermissionTemplates.apply(grant.permissions(), user, account);
            } catch (JwtException e) {
                return refuse("User JWT generated invalid permissions");
            }
            types = connectionTypes(grant);
            if (types == null) return null;
        }
        if (grant.bearerToken() && account.limits().disallowBearer()) return refuse("Account does not allow bearer token");
        if (!grant.bearerToken() && !nonceSigned(user.subject(), req)) return null;
        if (account.isRevoked(user.subject(), user.jwt().issuedAt())) return refuse("User authentication revoked");
        if (!sourceAllowed(grant, req.remoteAddress())) {
            log.error("Bad src Ip %s", req.remoteAddress() == null ? "" : req.remoteAddress().getHostAddress());
            return null;
        }
        long windowEnd = connectWindowEnd(grant);
        if (windowEnd < 0) {
            log.error("Outside connect times");
            return null;
        }
        long expires = user.jwt().expires() > 0 ? user.jwt().expires() * 1000 : 0;
        if (windowEnd > 0 && (expires == 0 || windowEnd < expires)) expires = windowEnd;
        if (permissions == null) permissions = account.defaultPermissions();
        User.JwtInfo info = new User.JwtInfo(user.issuer(), user.jwt().issuedAt(), expires,
                limit(grant.subs()), limit(grant.payload()), grant.bearerToken(),
                user.jwt().name(), user.tags());
        log.debug("Authenticated JWT: Client \"%s\" (claim-name: \"%s\") signed with \"%s\" by Account \"%s\" (claim-name: \"%s\") signed with \"%s\"",
                user.subject(), user.jwt().name(), user.issuer(), account.subject(), account.name(), account.issuer());
        return new User(user.subject(), account.subject(), permissions, types, info);
    }

    /** A JWT limit (-1 for none) as an int. */
    static int limit(long v) {
        return v < 0 ? -1 : (int) Math.min(v, Integer.MAX_VALUE);
    }

    private User refuse(String why) {
        log.debug("%s", why);
        return null;
    }

    private boolean nonceSigned(String userKey, AuthRequest req) {
        String sig = req.connect().sig;
        if (sig == null || sig.isEmpty()) {
            log.debug("Signature missing");
            return false;
        }
        byte[] nonce = req.nonce() == null ? new byte[0] : req.nonce().getBytes(StandardCharsets.US_ASCII);
        if (!NKeys.verify(userKey, nonce, sig)) {
            log.debug("Signature not verified");
            return false;
        }
        return true;
    }

    /**
     * The allowed connection types the JWT names that this server knows; null (refused) when it
     * names some but none is known, since an empty set would allow every type.
     */
    private Set<String> connectionTypes(UserClaims.Grant grant) {
        Set<String> out = new LinkedHashSet<>();
        for (String t : grant.allowedConnectionTypes()) {
            String u = t.toUpperCase(Locale.ROOT);
            if (AuthRequest.CONNECTION_TYPES.contains(u)) out.add(u);
            else log.debug("Unknown connection type \"%s\"", t);
        }
        if (out.isEmpty() && !grant.allowedConnectionTypes().isEmpty()) {
            log.debug("Connection type not allowed");
            return null;
        }
        return out;
    }

    /** Upstream refuses a JWT whose source networks or time windows cannot be parsed. */
    private static boolean wellFormed(UserClaims.Grant grant) {
        for (String cidr : grant.src()) {
            if (Cidr.parse(cidr) == null) return false;
        }
        for (UserClaims.TimeRange r : grant.times()) {
            if (parseTime(r.start()) == null || parseTime(r.end()) == null) return false;
        }
        if (!grant.timesLocation().isEmpty()) {
            try {
                ZoneId.of(grant.timesLocation());
            } catch (RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    private static boolean sourceAllowed(UserClaims.Grant grant, InetAddress remote) {
        if (grant.src().isEmpty()) return true;
        if (remote == null) return false;
        for (String cidr : grant.src()) {
            Cidr c = Cidr.parse(cidr);
            if (c != null && c.contains(remote)) return true;
        }
        return false;
    }

    /**
     * With connect time windows: -1 when now is outside all of them, else when the current one
     * ends (epoch millis); 0 without windows. A window whose start is after its end runs into
     * the next day.
     */
    static long connectWindowEnd(UserClaims.Grant grant) {
        if (grant.times().isEmpty()) return 0;
        ZoneId zone = grant.timesLocation().isEmpty() ? ZoneId.systemDefault() : ZoneId.of(grant.timesLocation());
        ZonedDateTime now = ZonedDateTime.now(zone);
        for (UserClaims.TimeRange r : grant.times()) {
            LocalTime s = parseTime(r.start());
            LocalTime e = parseTime(r.end());
            ZonedDateTime start = now.with(s).withNano(0);
            ZonedDateTime end = now.with(e).withNano(0);
            if (s.isAfter(e)) end = end.plusDays(1);
            if (start.isBefore(now) && end.isAfter(now)) return now.toInstant().toEpochMilli() + Duration.between(now, end).toMillis();
        }
        return -1;
    }

    private static LocalTime parseTime(String s) {
        try {
            return LocalTime.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
