package io.jnatsd.server.auth;

import java.util.Set;

/**
 * Who a client authenticated as: a user name (or nkey), the account it is bound to, and what
 * it may do. An empty {@code allowedConnectionTypes} allows every type.
 */
public record User(String name, String account, Permissions permissions, Set<String> allowedConnectionTypes) {
    public User {
        permissions = permissions == null ? Permissions.ALLOW_ALL : permissions;
        allowedConnectionTypes = allowedConnectionTypes == null ? Set.of() : Set.copyOf(allowedConnectionTypes);
    }

    /** The global account's name, which clients land in when no accounts are configured. */
    public static final String GLOBAL_ACCOUNT = "$G";
}
