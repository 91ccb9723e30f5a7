package io.jnatsd.server;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The server's identity as clients see it. Upstream's server_id is a server nkey's public
 * key: 56 base32 characters starting with 'N'; ours has the same shape so tools that parse
 * or display it are not surprised.
 *
 * <p>The characters need to be unique, not secret: nothing is signed with this "key". A
 * SecureRandom would cost every start 15-25 ms of security-provider set-up for nothing.
 */
final class ServerIdentity {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    static String newServerId() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        char[] id = new char[56];
        id[0] = 'N';
        for (int i = 1; i < id.length; i++) id[i] = BASE32[rnd.nextInt(32)];
        return new String(id);
    }

    private ServerIdentity() {}
}
