package io.jnatsd.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.NKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Our nkey decoding and signature check against keys and signatures made by the official Java client. */
class NKeysTest {
    @Test
    void publicUserKeysFromTheClientAreValid() throws Exception {
        NKey user = NKey.createUser(new SecureRandom());
        String pub = new String(user.getPublicKey());
        assertTrue(NKeys.isValidPublicUserKey(pub));
        assertFalse(NKeys.isValidPublicAccountKey(pub));
        assertTrue(NKeys.isValidPublicAccountKey(new String(NKey.createAccount(new SecureRandom()).getPublicKey())));
        assertTrue(NKeys.isValidPublicUserKey("UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"));
    }

    @Test
    void damagedKeysAreRejected() throws Exception {
        String pub = new String(NKey.createUser(new SecureRandom()).getPublicKey());
        char[] c = pub.toCharArray();
        c[20] = c[20] == 'A' ? 'B' : 'A'; // checksum no longer matches
        assertFalse(NKeys.isValidPublicUserKey(new String(c)));
        assertFalse(NKeys.isValidPublicUserKey(pub.substring(1)));
        assertFalse(NKeys.isValidPublicUserKey(pub.toLowerCase()));
        assertFalse(NKeys.isValidPublicUserKey(null));
        assertFalse(NKeys.isValidPublicUserKey("U" + "1".repeat(55)));
    }

    @Test
    void encodingRoundTrips() throws Exception {
        String pub = new String(NKey.createUser(new SecureRandom()).getPublicKey());
        byte[] raw = NKeys.publicKeyBytes(pub, NKeys.PREFIX_USER);
        assertEquals(pub, NKeys.encodePublicKey(NKeys.PREFIX_USER, raw));
    }

    @Test
    void signaturesOfTheNonceVerify() throws Exception {
        NKey user = NKey.createUser(new SecureRandom());
        String pub = new String(user.getPublicKey());
        byte[] nonce = Nonces.generate().getBytes(StandardCharsets.US_ASCII);
        byte[] sig = user.sign(nonce);
        assertTrue(NKeys.verify(pub, nonce, Base64.getUrlEncoder().withoutPadding().encodeToString(sig)));
        assertTrue(NKeys.verify(pub, nonce, Base64.getEncoder().encodeToString(sig)), "standard base64 as a fallback");
        assertFalse(NKeys.verify(pub, "other".getBytes(StandardCharsets.US_ASCII),
                Base64.getUrlEncoder().withoutPadding().encodeToString(sig)));
        NKey other = NKey.createUser(new SecureRandom());
        assertFalse(NKeys.verify(new String(other.getPublicKey()), nonce,
                Base64.getUrlEncoder().withoutPadding().encodeToString(sig)));
        assertFalse(NKeys.verify(pub, nonce, "not base64!"));
        assertFalse(NKeys.verify(pub, nonce, ""));
    }

    @Test
    void noncesAreFifteenUrlSafeCharacters() {
        String n = Nonces.generate();
        assertEquals(15, n.length());
        assertTrue(n.matches("[A-Za-z0-9_-]{15}"), n);
    }
}
