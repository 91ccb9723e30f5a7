package io.jnatsd.server.auth.jwt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code resolver: MEMORY}: account JWTs held in memory, filled by {@code resolver_preload}. */
public final class MemoryResolver implements AccountResolver {
    private final Map<String, String> jwts = new ConcurrentHashMap<>();

    @Override
    public String fetch(String accountKey) {
        return accountKey == null ? null : jwts.get(accountKey);
    }

    @Override
    public void save(String accountKey, String jwt) {
        jwts.put(accountKey, jwt);
    }

    @Override
    public void saveIfNewer(String accountKey, String jwt) {
        jwts.put(accountKey, jwt);
    }

    @Override
    public boolean isFull() {
        return false;
    }

    @Override
    public List<String> list() {
        return new ArrayList<>(jwts.keySet());
    }

    @Override
    public boolean allowsDelete() {
        return false;
    }

    @Override
    public void delete(String accountKey) {
        throw new UnsupportedOperationException("store is not set up to for delete");
    }
}
