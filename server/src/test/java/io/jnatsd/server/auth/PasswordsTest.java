package io.jnatsd.server.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import org.junit.jupiter.api.Test;

class PasswordsTest {
    @Test
    void plainSecrets() {
        assertTrue(Passwords.matches("s3cret", "s3cret"));
        assertFalse(Passwords.matches("s3cret", "s3cre"));
        assertFalse(Passwords.matches("s3cret", null));
        assertTrue(Passwords.matches(null, null), "no password configured and none sent");
        assertTrue(Passwords.matches("", null));
        assertTrue(Passwords.matches("ünïcødé", "ünïcødé"));
    }

    @Test
    void bcryptHashesOfEveryVersion() {
        for (BCrypt.Version v : new BCrypt.Version[] {BCrypt.Version.VERSION_2A, BCrypt.Version.VERSION_2B, BCrypt.Version.VERSION_2Y}) {
            String hash = BCrypt.with(v).hashToString(4, "correct horse".toCharArray());
            assertTrue(Passwords.isBcrypt(hash), hash);
            assertTrue(Passwords.matches(hash, "correct horse"), hash);
            assertFalse(Passwords.matches(hash, "correct horsE"), hash);
            assertFalse(Passwords.matches(hash, null), hash);
        }
    }

    @Test
    void onlyTheFirst72BytesOfABcryptPasswordCount() {
        String longPw = "p".repeat(72);
        String hash = BCrypt.withDefaults().hashToString(4, longPw.toCharArray());
        assertTrue(Passwords.matches(hash, longPw + "anything after"));
    }

    @Test
    void whatCountsAsBcrypt() {
        assertFalse(Passwords.isBcrypt("$2a$"));
        assertFalse(Passwords.isBcrypt("plain"));
        assertFalse(Passwords.isBcrypt("$3a$10$abc"));
        assertTrue(Passwords.isBcrypt("$2b$10$whatever"));
        // a malformed hash never matches
        assertFalse(Passwords.matches("$2a$10$notreallyahash", "x"));
    }
}
