package io.jnatsd.server.mqtt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Upstream's getHash: 8 characters from the SHA-256 of a name, in base 62; names sessions and servers in subjects. */
final class ServerHash {
    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private ServerHash() {}

    static String of(String name) {
        byte[] sha;
        try {
            sha = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        char[] out = new char[8];
        for (int i = 0; i < 8; i++) out[i] = DIGITS.charAt((sha[i] & 0xFF) % 62);
        return new String(out);
    }
}
