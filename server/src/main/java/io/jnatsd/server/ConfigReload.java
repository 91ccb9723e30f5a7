package io.jnatsd.server;

import io.jnatsd.server.account.Accounts;
import io.jnatsd.server.account.AccountsConfig;
import io.jnatsd.server.auth.Authenticator;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ClosedReason;
import io.jnatsd.server.config.ConfigChange;
import io.jnatsd.server.config.ConfigChange.Effect;
import io.jnatsd.server.config.ConfigDiff;
import io.jnatsd.server.config.ConfigException;
import io.jnatsd.server.config.ReloadRefusedException;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.SubjectMappings;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.net.PeerTls;
import io.jnatsd.server.net.ServerTls;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Applies a reloaded configuration in three steps, so that it is applied whole or not at all:
 * <ol>
 *   <li><b>diff</b>: {@link ConfigDiff} lists the changes in upstream's order and refuses, with upstream's
 *       message, any option that cannot change at run time;</li>
 *   <li><b>prepare</b>: everything that can fail is built aside (authenticator, accounts plan, TLS); a
 *       failure refuses the reload and nothing has changed;</li>
 *   <li><b>commit</b>: accounts first (before the users that name them), then options, TLS and authenticator
 *       in three volatile writes back to back; then JetStream, routes and clients are told, the notices logged.</li>
 * </ol>
 * A connection accepted during the commit meets either the old users or the new ones, never half of each;
 * open connections are authorized again once the new ones are in force.
 */
final class ConfigReload {
    private final NatsServer server;

    ConfigReload(NatsServer server) {
        this.server = server;
    }

    /** What the prepare step built, ready to be swapped in. */
    private record Prepared(Authenticator auth, Authenticator websocketAuth, AccountsConfig.Plan accounts,
                            SubjectMappings globalMappings, ServerTls tls, PeerTls clusterTls) {}

    synchronized void apply(ServerOptions fresh) throws ReloadRefusedException {
        ServerOptions current = server.options();
        List<ConfigChange> changes = ConfigDiff.between(current, fresh, server.jetStream() != null);
        Set<Effect> effects = EnumSet.noneOf(Effect.class);
        for (ConfigChange c : changes) effects.add(c.effect());
        Prepared p = prepare(fresh, effects);
        commit(current, fresh, changes, effects, p);
    }

    // ---- prepare: nothing changes yet ----

    private Prepared prepare(ServerOptions fresh, Set<Effect> effects) throws ReloadRefusedException {
        ServerLog log = server.log();
        Authenticator running = server.authenticator();
        try {
            if (running.operatorMode() != null) {
                // Trusted operators cannot change (refused above); their accounts live in the resolver, not here.
                return new Prepared(running, null, null, null, tls(fresh, effects), clusterTls(fresh));
            }
            Authenticator auth = Authenticator.create(fresh, log);
            Authenticator ws = server.websocketClients() == null ? null : auth.forWebsocket(fresh);
            Object sys = fresh.otherBlocks.get("system_account");
            AccountsConfig.Plan plan = AccountsConfig.plan(fresh.otherBlocks.get("accounts"),
                    sys == null ? null : String.valueOf(sys), server.accounts());
            Object m = fresh.otherBlocks.get("mappings");
            SubjectMappings global = m == null ? null : AccountsConfig.parseMappings(m, "the global account");
            return new Prepared(auth, ws, plan, global, tls(fresh, effects), clusterTls(fresh));
        } catch (ConfigException e) {
            throw new ReloadRefusedException(e.getMessage());
        } catch (RuntimeException e) { // unusable TLS files, bad accounts, users or mappings
            throw new ReloadRefusedException(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The cluster block's TLS, read again (certificates may have been replaced); null without one. */
    private PeerTls clusterTls(ServerOptions fresh) {
        return server.cluster() == null || fresh.cluster.tls == null ? null : PeerTls.create(fresh.cluster.tls, server.log());
    }

    private ServerTls tls(ServerOptions fresh, Set<Effect> effects) {
        return effects.contains(Effect.TLS) ? NatsServer.buildTls(fresh, server.log()) : server.tls();
    }

    // ---- commit ----

    private void commit(ServerOptions current, ServerOptions fresh, List<ConfigChange> changes, Set<Effect> effects,
                        Prepared p) {
        ServerLog log = server.log();
        if (effects.contains(Effect.LOGGING)) logging(current, fresh);
        if (p.accounts() != null) swapAccounts(p); // new accounts exist before any user can name them
        boolean nkeysChanged = !p.auth().sameNkeys(server.authenticator());
        // The server's view changes in three volatile writes back to back: what INFO, /varz and new
        // connections read (options, TLS) and who may connect (users).
        server.replaceOptions(fresh);
        server.replaceTls(p.tls());
        server.replaceAuthenticator(p.auth());
        if (p.websocketAuth() != null) server.websocketClients().reloaded(fresh, p.websocketAuth());
        if (server.jetStream() != null) {
            try {
                server.jetStream().reload(fresh, server.jetStreamAccounts(), server.nonSystemAccounts());
            } catch (RuntimeException e) { // as upstream, a JetStream account that cannot be enabled is logged
                log.error("%s", e.getMessage());
            }
        }
        if (server.cluster() != null && (effects.contains(Effect.CLUSTER) || effects.contains(Effect.ROUTES))) {
            server.cluster().reload(fresh, p.clusterTls());
        }
        for (ConfigChange c : changes) {
            if (c.effect() == Effect.MAX_CONNECTIONS) closeOverMaxConnections(fresh.maxConnections);
            if (c.effect() == Effect.PID_FILE) Main.writePidFile(fresh, log);
            if (c.notice() != null) log.notice("%s", c.notice());
            if (c.field().equals("Users") && nkeysChanged) log.notice("Reloaded: authorization nkey users");
        }
        // Users and accounts count as changed on every reload (as upstream), so every client is looked at again.
        List<java.util.concurrent.Future<?>> applying = new java.util.ArrayList<>();
        for (ClientConnection c : server.connections()) {
            java.util.concurrent.Future<?> f = c.configReloaded();
            if (f != null) applying.add(f);
        }
        awaitApplied(applying);
        server.configReloaded();
        log.notice("Reloaded server configuration");
    }

    /**
     * Waits until open connections run on the new config, as upstream applies it to each under its
     * lock before the reload returns: what a client sends after the reload meets the new rules. A
     * reload asked for on a connection's own event loop (the RELOAD request) cannot wait for that loop.
     */
    private static void awaitApplied(List<java.util.concurrent.Future<?>> applying) {
        for (java.util.concurrent.Future<?> f : applying) {
            try {
                f.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // its own loop (Netty refuses to block there), a closed connection, or a slow one: go on
            }
        }
    }

    private void logging(ServerOptions current, ServerOptions fresh) {
        ServerLog log = server.log();
        log.reconfigure(fresh.logtime, fresh.logtimeUtc, fresh.debug || fresh.trace, fresh.trace);
        if (java.util.Objects.equals(current.logFile, fresh.logFile)) return;
        try {
            log.switchTo(fresh.logFile);
        } catch (java.io.IOException e) {
            log.error("Error opening log file %s: %s", fresh.logFile, e.getMessage());
        }
    }

    /**
     * Accounts first (new ones exist before a user can name them), then their limits, mappings
     * and the imports that changed; accounts a reload drops stay, empty, until the server restarts.
     */
    private void swapAccounts(Prepared p) {
        Accounts accounts = server.accounts();
        Set<String> before = Set.copyOf(accounts.all().stream().map(Account::name).toList());
        AccountsConfig.applyPlan(p.accounts(), accounts, server.configuredImports());
        accounts.global().setMappings(p.globalMappings());
        for (String name : p.auth().accountNames()) {
            if (accounts.get(name) == null) accounts.add(new Account(name));
        }
        if (server.events() == null) return;
        for (Account a : accounts.all()) {
            if (!before.contains(a.name())) server.events().accountAdded(a);
        }
    }

    /** As upstream: clients over the new limit are closed (any of them), each told so. */
    private void closeOverMaxConnections(int max) {
        List<ClientConnection> all = server.connections();
        if (max <= 0 || all.size() <= max) return;
        int close = all.size() - max;
        for (int i = 0; i < close; i++) {
            all.get(i).closeWithErrorFromAnyThread("maximum connections exceeded", ClosedReason.MAX_CONNECTIONS);
        }
        server.log().notice("Closed %d connections to fall within max_connections", close);
    }
}
