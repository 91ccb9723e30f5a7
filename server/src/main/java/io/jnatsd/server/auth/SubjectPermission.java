package io.jnatsd.server.auth;

import java.util.List;

/**
 * Allow and deny lists for publishing or subscribing. A null {@code allow} allows everything
 * not denied; an empty one allows nothing. Entries may hold wildcards; a subscribe entry may
 * carry a queue group after a space ("foo.* workers"), which scopes it to that queue.
 */
public record SubjectPermission(List<String> allow, List<String> deny) {
    public SubjectPermission {
        allow = allow == null ? null : List.copyOf(allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
    }

    public static final SubjectPermission ALLOW_ALL = new SubjectPermission(null, List.of());

    /** Whether this allows every subject (deny is never null). */
    public boolean isAllowAll() {
        return allow == null && deny.isEmpty();
    }
}
