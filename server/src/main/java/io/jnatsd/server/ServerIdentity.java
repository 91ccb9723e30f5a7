package io.jnatsd.server;

import java.security.SecureRandom;

/**
 * The server's identity as clients see it. Upstream's server_id is a server nkey's public
 * key: 56 base32 characters starting with 'N'; ours has the same shape so tools that parse
 * or display it are not surprised.
 */
final class ServerIdentity {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    static String newServerId() {
        SecureRandom rnd = new SecureRandom();
        char[] id = new char[56];
        id[0] = 'N';
        for (int i = 1; i < id.length; i++) id[i] = BASE32[rnd.nextInt(32)];
        return new String(id);
    }

    private ServerIdentity() {}
}
