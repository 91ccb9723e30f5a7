package io.jnatsd.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;

/**
 * Comparing what a client sent with a configured password or token, which may itself be a
 * bcrypt hash ({@code $2a$}, {@code $2b$}, {@code $2x$}, {@code $2y$} and a two-digit cost, as
 * upstream recognises them). Plain secrets are compared in constant time.
 */
public final class Passwords {
    private static final Pattern BCRYPT = Pattern.compile("^\\$2[abxy]\\$\\d{2}\\$.*", Pattern.DOTALL);
    /**
     * Like upstream's bcrypt: only the first 72 bytes of a password count, and nothing is
     * rejected for being long (the hash was made the same way).
     */
    private static final BCrypt.Verifyer VERIFYER =
            BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.none());
    private static final int BCRYPT_MAX_PASSWORD_BYTES = 72;

    private Passwords() {
    }

    public static boolean isBcrypt(String secret) {
        return secret != null && secret.startsWith("$") && BCRYPT.matcher(secret).matches();
    }

    /**
     * Whether {@code given} matches {@code configured}. A null {@code given} counts as the empty
     * string (a client that omitted the field), as upstream's zero value does.
     */
    public static boolean matches(String configured, String given) {
        if (configured == null) configured = "";
        if (given == null) given = "";
        if (isBcrypt(configured)) return bcryptMatches(configured, given);
        return MessageDigest.isEqual(configured.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean bcryptMatches(String hash, String given) {
        byte[] pw = given.getBytes(StandardCharsets.UTF_8);
        if (pw.length > BCRYPT_MAX_PASSWORD_BYTES) pw = java.util.Arrays.copyOf(pw, BCRYPT_MAX_PASSWORD_BYTES);
        try {
            return VERIFYER.verify(pw, hash.getBytes(StandardCharsets.UTF_8)).verified;
        } catch (RuntimeException e) {
            return false; // a malformed hash (or a password the library refuses) never matches
        }
    }
}
