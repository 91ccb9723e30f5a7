package io.jnatsd.server.leaf;

import io.jnatsd.server.auth.AuthRequest;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.log.ServerLog;

/** What leaf node connections need from the server that owns them. */
public interface LeafNodeServices {
    ServerLog log();

    String serverId();

    String serverName();

    /** The NATS version this server speaks, as INFO and CONNECT give it. */
    String version();

    /** The account a leaf node binds to, or null when there is none of that name. */
    Account account(String name);

    /**
     * Authenticates a leaf node that has no {@code leafnodes.authorization} users to match, as
     * a client would be (upstream falls back to the server's own authorization); null when
     * refused.
     */
    User authenticate(AuthRequest request);

    /** Whether a leaf node without credentials must be refused (the server requires authentication). */
    boolean authRequired();

    /** Whether INFO must carry a nonce (nkeys or operator mode). */
    boolean needsNonce();

    /** The cluster name this server has, or null when not clustered. */
    String clusterName();

    /** Whether JetStream is enabled here, as INFO tells a leaf. */
    boolean jetStream();

    /** The leaf node URLs of the other servers of this server's cluster (empty when not clustered). */
    java.util.List<String> clusterLeafUrls();

    /** The JetStream domain, or null. */
    String jetStreamDomain();

    /** The system account's name, or null. */
    String systemAccountName();
}
