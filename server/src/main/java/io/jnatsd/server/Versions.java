package io.jnatsd.server;

/**
 * The two versions a client may care about: the upstream nats-server version whose
 * client-visible feature set jnatsd implements (clients switch features on by comparing it),
 * and jnatsd's own.
 */
public final class Versions {
    /** Raise as features land: core NATS as of upstream 2.9.10. */
    public static final String NATS_COMPATIBLE = "2.9.10";
    public static final int PROTO = 1;

    public static String jnatsd() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private Versions() {}
}
