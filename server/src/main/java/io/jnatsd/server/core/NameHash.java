package io.jnatsd.server.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Upstream's getHash and getHashSize: characters from the SHA-256 of a name, in base 62. Names
 * servers and MQTT sessions in subjects (8 characters) and clusters and servers in gateway
 * reply subjects (6).
 */
public final class NameHash {
    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private NameHash() {}

    public static String of(String name) {
        return of(name, 8);
    }

    public static String of(String name, int size) {
        byte[] sha;
        try {
            sha = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        char[] out = new char[size];
        for (int i = 0; i < size; i++) out[i] = DIGITS.charAt((sha[i] & 0xFF) % 62);
        return new String(out);
    }
}
