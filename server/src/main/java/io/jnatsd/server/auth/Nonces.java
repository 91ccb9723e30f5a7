package io.jnatsd.server.auth;

import java.security.SecureRandom;
import java.util.Base64;

/** The nonce INFO carries for nkey users to sign: 11 random bytes, base64 URL-safe without padding (15 characters). */
public final class Nonces {
    private static final int RAW_LENGTH = 11;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Nonces() {
    }

    public static String generate() {
        byte[] raw = new byte[RAW_LENGTH];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
