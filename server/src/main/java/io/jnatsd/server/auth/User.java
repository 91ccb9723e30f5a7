package io.jnatsd.server.auth;

import java.util.Set;

/**
 * Who a client authenticated as: a user name (or nkey), the account it is bound to, and what
 * it may do. An empty {@code allowedConnectionTypes} allows every type. {@code jwt} is set for a
 * user that authenticated with a user JWT (operator mode), null otherwise.
 */
public record User(String name, String account, Permissions permissions, Set<String> allowedConnectionTypes,
                   JwtInfo jwt) {
    public User {
        permissions = permissions == null ? Permissions.ALLOW_ALL : permissions;
        allowedConnectionTypes = allowedConnectionTypes == null ? Set.of() : Set.copyOf(allowedConnectionTypes);
    }

    public User(String name, String account, Permissions permissions, Set<String> allowedConnectionTypes) {
        this(name, account, permissions, allowedConnectionTypes, null);
    }

    /**
     * What a user JWT adds: who signed it and when, when the user's authentication ends
     * ({@code expiresAtMillis}, 0 for never: the JWT's expiry or the end of its connect time
     * window), its own subscription and payload limits (-1 for none), whether it is a bearer
     * token, and the JWT's name and tags (for monitoring).
     */
    public record JwtInfo(String issuer, long issuedAt, long expiresAtMillis, int maxSubscriptions, int maxPayload,
                          boolean bearer, String nameTag, java.util.List<String> tags) {
        public JwtInfo {
            tags = tags == null ? java.util.List.of() : java.util.List.copyOf(tags);
        }
    }

    /** The global account's name, which clients land in when no accounts are configured. */
    public static final String GLOBAL_ACCOUNT = "$G";
}
