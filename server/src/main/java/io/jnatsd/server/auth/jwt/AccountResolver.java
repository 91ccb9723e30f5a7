package io.jnatsd.server.auth.jwt;

import java.io.IOException;
import java.util.List;

/**
 * Where account JWTs come from, by account public key: {@code resolver: MEMORY} (preloaded,
 * {@link MemoryResolver}) or {@code resolver: {type: full, dir: ...}} (files,
 * {@link DirectoryResolver}). Implementations are thread-safe.
 */
public interface AccountResolver {
    /** The account's JWT as stored, or null when there is none. */
    String fetch(String accountKey);

    /** Stores {@code jwt} as the account's, replacing what is there. */
    void save(String accountKey, String jwt) throws IOException;

    /**
     * Stores {@code jwt} unless the one already stored is the same or newer (by its
     * {@code jti} and {@code iat}), as preloads are stored.
     */
    void saveIfNewer(String accountKey, String jwt) throws IOException;

    /**
     * Whether this is a full (nats-based) resolver: it then answers
     * {@code $SYS.REQ.CLAIMS.UPDATE}, lookups, lists and deletes, and stores updates of any
     * account; the memory resolver only updates accounts already in use.
     */
    boolean isFull();

    /** The account keys stored. */
    List<String> list();

    /** Whether {@code delete} is allowed ({@code allow_delete}). */
    boolean allowsDelete();

    /** Removes the account's JWT (a full resolver keeps it renamed to {@code .jwt.deleted}). */
    void delete(String accountKey) throws IOException;
}
