package io.jnatsd.server.auth.jwt;

import io.jnatsd.server.log.ServerLog;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Decentralised authentication's state: the trusted operators (or bare {@code trusted_keys}),
 * the account resolver, and the verified claims of the accounts in use. An account's claims
 * are trusted when an operator key signed them and they are within their time bounds; they are
 * cached once verified, and replaced by claim updates, which listeners hear of.
 * Thread-safe.
 */
public final class OperatorMode {
    private final List<OperatorClaims> operators;
    private final Set<String> trustedKeys;
    private final String systemAccount;
    private final AccountResolver resolver;
    private final ServerLog log;
    private final Map<String, String> preloads;
    private final Map<String, AccountClaims> loaded = new ConcurrentHashMap<>();
    private final List<Consumer<AccountClaims>> changeListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> deleteListeners = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Predicate<String> inUse = key -> false;

    OperatorMode(List<OperatorClaims> operators, List<String> extraTrustedKeys, String systemAccount,
                 AccountResolver resolver, Map<String, String> preloads, ServerLog log) {
        this.operators = List.copyOf(operators);
        Set<String> keys = new LinkedHashSet<>(extraTrustedKeys);
        for (OperatorClaims op : operators) {
            if (!op.strictSigningKeyUsage()) keys.add(op.subject());
            keys.addAll(op.signingKeys());
        }
        this.trustedKeys = Set.copyOf(keys);
        this.systemAccount = systemAccount == null || systemAccount.isEmpty() ? null : systemAccount;
        this.resolver = resolver;
        this.log = log == null ? ServerLog.silent() : log;
        this.preloads = Map.copyOf(preloads);
    }

    /**
     * Stores {@code resolver_preload}'s account JWTs in the resolver (a full resolver keeps a
     * newer one it already has); done once the server is built, not when a config is only checked.
     */
    public void storePreloads() {
        for (Map.Entry<String, String> e : preloads.entrySet()) {
            try {
                resolver.saveIfNewer(e.getKey(), e.getValue());
            } catch (java.io.IOException ex) {
                log.error("Preloading account %s failed: %s", e.getKey(), ex.getMessage());
            }
        }
    }

    public List<OperatorClaims> operators() {
        return operators;
    }

    /** The system account's public key (from the config or the operator JWT), or null. */
    public String systemAccount() {
        return systemAccount;
    }

    /** The account resolver, or null when none is configured (then no account can be found). */
    public AccountResolver resolver() {
        return resolver;
    }

    ServerLog log() {
        return log;
    }

    /** Whether {@code issuer} is an operator key trusted to sign accounts. */
    public boolean isTrusted(String issuer) {
        return trustedKeys.contains(issuer);
    }

    /** Whether {@code issuer} is the first operator's identity key while that operator demands signing keys. */
    boolean strictlyRefused(String issuer) {
        return !operators.isEmpty() && operators.get(0).strictSigningKeyUsage() && operators.get(0).subject().equals(issuer);
    }

    /**
     * Decodes account claims and checks that a trusted operator signed them and that they are
     * within their time bounds.
     */
    public AccountClaims verify(String jwt) throws JwtException {
        AccountClaims c = AccountClaims.decode(jwt);
        if (!isTrusted(c.issuer())) throw new JwtException("Account JWT not signed by trusted operator");
        if (c.jwt().isExpired(Jwt.now())) throw new JwtException("Account JWT has expired");
        if (c.jwt().timeInvalid(Jwt.now())) throw new JwtException("Account JWT is not yet valid");
        return c;
    }

    /**
     * The verified claims of an account, from the cache or else from the resolver (then cached).
     * Claims that have expired meanwhile are fetched again, as upstream does.
     */
    public AccountClaims account(String key) throws JwtException {
        AccountClaims c = loaded.get(key);
        if (c != null && !c.jwt().timeInvalid(Jwt.now())) return c;
        if (resolver == null) throw new JwtException("no account resolver");
        String raw = resolver.fetch(key);
        if (raw == null) throw new JwtException("account " + key + " not found");
        AccountClaims fresh = verify(raw);
        if (!fresh.subject().equals(key)) throw new JwtException("account JWT subject does not match " + key);
        AccountClaims before = loaded.put(key, fresh);
        if (before != null && !before.jwt().raw().equals(fresh.jwt().raw())) changed(fresh);
        return fresh;
    }

    /** The claims of an account in use, or null. */
    public AccountClaims loaded(String key) {
        return loaded.get(key);
    }

    /** Says which accounts the server has created (they are in use even before their claims are loaded). */
    public void setInUse(java.util.function.Predicate<String> inUse) {
        this.inUse = inUse;
    }

    /** Whether the account is in use: its claims are loaded, or the server holds it. */
    boolean inUse(String key) {
        return loaded.containsKey(key) || inUse.test(key);
    }

    /** Replaces an account's claims in use and tells the listeners. */
    void replace(AccountClaims c) {
        loaded.put(c.subject(), c);
        changed(c);
    }

    /** An account was deleted: it is no longer in use, and listeners cut its clients off. */
    void deleted(String key) {
        loaded.remove(key);
        for (Consumer<String> l : deleteListeners) l.accept(key);
    }

    private void changed(AccountClaims c) {
        for (Consumer<AccountClaims> l : changeListeners) {
            try {
                l.accept(c);
            } catch (RuntimeException e) {
                log.error("Applying claims of account %s failed: %s", c.subject(), e);
            }
        }
    }

    /** Called, in registration order, whenever the claims of an account in use change. */
    public void onChange(Consumer<AccountClaims> listener) {
        changeListeners.add(listener);
    }

    /** Called when an account is deleted from the resolver. */
    public void onDelete(Consumer<String> listener) {
        deleteListeners.add(listener);
    }
}
