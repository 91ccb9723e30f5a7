package io.jnatsd.server.account;

import io.jnatsd.server.auth.jwt.AccountClaims;
import io.jnatsd.server.auth.jwt.ActivationClaims;
import io.jnatsd.server.auth.jwt.Jwt;
import io.jnatsd.server.auth.jwt.JwtException;
import io.jnatsd.server.auth.jwt.OperatorMode;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.AccountLimits;
import io.jnatsd.server.log.ServerLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accounts in operator mode: each is created the first time it is needed (a user binds to it,
 * another account imports from it), named by its public key, from its verified JWT — limits,
 * exports and imports — and rebuilt in place when its claims change. Imports are wired by the
 * same {@link ImportWiring} as the config file's; one that cannot be wired (the exporter is
 * unknown, or exports nothing that allows it) is logged and left out, as upstream does.
 */
public final class JwtAccounts {
    private final Accounts registry;
    private final OperatorMode mode;
    private final ServerLog log;
    private final List<java.util.function.Consumer<AccountClaims>> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The imports wired for each account, by importer name; guarded by this. */
    private final Map<String, List<ImportWiring.Wired>> imports = new HashMap<>();

    public JwtAccounts(Accounts registry, OperatorMode mode, ServerLog log) {
        this.registry = registry;
        this.mode = mode;
        this.log = log;
        mode.onChange(this::claimsChanged);
        mode.onDelete(this::deleted);
        mode.setInUse(key -> registry.get(key) != null);
    }

    /** Called whenever an account is built from its claims or rebuilt from new ones. */
    public void onApplied(java.util.function.Consumer<AccountClaims> listener) {
        applied.add(listener);
    }

    /** The account with this public key, created from its JWT when first asked for; null when it cannot be resolved. */
    public Account lookup(String key) {
        Account a = registry.get(key);
        if (a != null) return a;
        AccountClaims claims;
        try {
            claims = mode.account(key);
        } catch (JwtException e) {
            log.debug("Account [%s] lookup failed: %s", key, e.getMessage());
            return null;
        }
        return register(claims);
    }

    /**
     * An account created without its JWT (the system account of a full resolver that does not
     * hold it yet, as upstream bootstraps it): no limits, no imports, until its claims arrive.
     */
    public synchronized Account placeholder(String key) {
        Account a = registry.get(key);
        return a != null ? a : registry.add(new Account(key));
    }

    private synchronized Account register(AccountClaims claims) {
        Account a = registry.get(claims.subject());
        if (a != null) return a;
        a = registry.add(new Account(claims.subject()));
        apply(a, claims);
        return a;
    }

    private synchronized void claimsChanged(AccountClaims claims) {
        Account a = registry.get(claims.subject());
        if (a == null) return;
        apply(a, claims);
        // Exports may have changed: importers of this account are wired again.
        for (Map.Entry<String, List<ImportWiring.Wired>> e : new ArrayList<>(imports.entrySet())) {
            if (e.getKey().equals(claims.subject())) continue;
            boolean importsFromIt = e.getValue().stream().anyMatch(w -> w.exporter().equals(claims.subject()));
            AccountClaims importer = mode.loaded(e.getKey());
            Account ia = registry.get(e.getKey());
            if (importsFromIt && importer != null && ia != null) wireImports(ia, importer);
        }
    }

    private synchronized void deleted(String key) {
        Account a = registry.get(key);
        if (a == null) return;
        a.setLimits(new AccountLimits(0, 0, 0));
        List<ImportWiring.Wired> old = imports.remove(key);
        if (old != null) old.forEach(ImportWiring.Wired::unwire);
    }

    private void apply(Account a, AccountClaims claims) {
        AccountClaims.Limits l = claims.limits();
        a.setLimits(new AccountLimits(AccountLimits.fromClaim(l.conn()), AccountLimits.fromClaim(l.subs()),
                AccountLimits.fromClaim(l.payload())));
        wireImports(a, claims);
        for (var listener : applied) listener.accept(claims);
    }

    private void wireImports(Account importer, AccountClaims claims) {
        List<ImportWiring.Wired> old = imports.remove(importer.name());
        if (old != null) old.forEach(ImportWiring.Wired::unwire);
        List<ImportWiring.Wired> wired = new ArrayList<>();
        imports.put(importer.name(), wired);
        for (AccountClaims.Import i : claims.imports()) {
            Import imp = toImport(i);
            if (imp == null) {
                log.debug("Error adding import %s to account [%s]: invalid subject", i.subject(), importer.name());
                continue;
            }
            Account exporter = i.account().equals(importer.name()) ? null : lookup(i.account());
            AccountClaims exporterClaims = exporter == null ? null : mode.loaded(i.account());
            if (exporterClaims == null) {
                log.error("Can't locate account [%s] for import of [%s] %s", i.account(), i.subject(), i.service() ? "service" : "stream");
                continue;
            }
            Export export = ImportWiring.findExport(exports(exporterClaims), imp,
                    e -> !e.tokenRequired() || activated(i, imp, importer.name(), exporterClaims));
            if (export == null) {
                log.debug("Error adding %s import to account [%s]: not authorized by account %s",
                        i.service() ? "service" : "stream", importer.name(), i.account());
                continue;
            }
            wired.add(ImportWiring.wire(importer, exporter, imp, export));
        }
    }

    /** The claims' import as the wiring takes it (see {@link AccountClaims.Import} for the JWT's meaning). */
    static Import toImport(AccountClaims.Import i) {
        String remote;
        String local;
        String prefix = null;
        if (i.service()) {
            if (!i.localSubject().isEmpty()) {
                remote = i.subject();
                local = i.localSubject();
            } else {
                local = i.subject();
                remote = i.to().isEmpty() ? i.subject() : i.to();
            }
        } else {
            remote = i.subject();
            local = i.localSubject().isEmpty() ? null : i.localSubject();
            if (local == null && !i.to().isEmpty()) {
                if (!Subjects.isLiteral(i.to())) return null;
                prefix = i.to();
            }
        }
        if (!Subjects.isValidSubject(remote) || (local != null && !Subjects.isValidSubject(local))) return null;
        return new Import(i.account(), remote, i.service(), local, prefix);
    }

    static List<Export> exports(AccountClaims claims) {
        List<Export> out = new ArrayList<>();
        for (AccountClaims.Export e : claims.exports()) {
            if (!Subjects.isValidSubject(e.subject())) continue;
            String rt = e.responseType().toLowerCase(Locale.ROOT);
            out.add(new Export(e.subject(), e.service(), null, e.tokenRequired(),
                    rt.equals("stream") || rt.equals("chunked") ? rt : "singleton", e.responseThreshold()));
        }
        return out;
    }

    /**
     * Whether the import carries an activation token from the exporter (or one of its signing
     * keys) for this importer, covering the import's subject, and not expired.
     */
    private boolean activated(AccountClaims.Import i, Import imp, String importer, AccountClaims exporter) {
        if (i.token().isEmpty()) return false;
        try {
            ActivationClaims act = ActivationClaims.decode(i.token());
            return act.account().equals(exporter.subject()) && exporter.hasIssuer(act.jwt().issuer())
                    && act.jwt().subject().equals(importer) && act.service() == imp.service()
                    && !act.jwt().timeInvalid(Jwt.now()) && Subjects.subjectIsSubsetOf(imp.subject(), act.importSubject());
        } catch (JwtException e) {
            log.debug("Activation token of import %s in account [%s] not valid: %s", i.subject(), importer, e.getMessage());
            return false;
        }
    }
}
