package io.jnatsd.server.config;

/**
 * One option that differs between the running configuration and a reloaded one, as upstream's
 * reload names it: the option ({@code field}, upstream's Options field name), what a server must
 * do to apply it ({@link Effect}), and the notice logged once it is applied ({@code Reloaded: ...},
 * null for none).
 */
public record ConfigChange(String field, Effect effect, String notice) {
    /** What applying a change takes; many changes share one effect, which is applied once. */
    public enum Effect {
        /** Log levels, time stamps, the log file. */
        LOGGING,
        /** Users, nkeys, tokens, accounts, permissions: clients are authorized again. */
        AUTHORIZATION,
        /** Client TLS: certificates are loaded again for new connections. */
        TLS,
        /** Clients over the new max_connections are closed. */
        MAX_CONNECTIONS,
        /** max_payload and max_control_line reach every open connection. */
        CLIENT_LIMITS,
        /** The cluster block: authorization, permissions, advertising, name. */
        CLUSTER,
        /** The cluster's seed routes: new ones dialled, removed ones closed. */
        ROUTES,
        /** The pid file is written again. */
        PID_FILE,
        /** The new options in force are all it takes (new connections, INFO, monitoring read them). */
        OPTIONS_ONLY
    }
}
