package io.jnatsd.server.auth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * NATS nkeys, the public half: a 56-character string that is base32 (RFC 4648 alphabet, no
 * padding) of one prefix byte naming the key's role, the 32-byte ed25519 public key, and a
 * CRC16 (XMODEM, little-endian) of the two. Signatures are verified with the JDK's Ed25519.
 */
public final class NKeys {
    /** Role prefixes (the first character of the encoded key). */
    public static final int PREFIX_USER = 20 << 3;     // 'U'
    public static final int PREFIX_ACCOUNT = 0;        // 'A'
    public static final int PREFIX_OPERATOR = 14 << 3; // 'O'
    public static final int PREFIX_SERVER = 13 << 3;   // 'N'

    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    /** The DER prefix of an X.509 SubjectPublicKeyInfo for an Ed25519 key (OID 1.3.101.112). */
    private static final byte[] ED25519_SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final int[] CRC16_TABLE = crc16Table();

    private NKeys() {
    }

    /** Whether {@code key} is a well-formed public nkey of a user ({@code U...}). */
    public static boolean isValidPublicUserKey(String key) {
        return publicKeyBytes(key, PREFIX_USER) != null;
    }

    /** Whether {@code key} is a well-formed public nkey of an account ({@code A...}). */
    public static boolean isValidPublicAccountKey(String key) {
        return publicKeyBytes(key, PREFIX_ACCOUNT) != null;
    }

    /**
     * The 32 raw ed25519 key bytes of a public nkey with the given role prefix, or null when
     * the string is not one (bad base32, wrong length, wrong role or a failed checksum).
     */
    public static byte[] publicKeyBytes(String key, int prefix) {
        if (key == null || key.length() != 56) return null;
        byte[] raw = base32Decode(key);
        if (raw == null || raw.length != 35) return null;
        int crc = (raw[33] & 0xff) | (raw[34] & 0xff) << 8;
        if (crc16(raw, 33) != crc) return null;
        if ((raw[0] & 0xff) != prefix) return null;
        return Arrays.copyOfRange(raw, 1, 33);
    }

    /** Whether {@code key} is a well-formed public nkey of an operator ({@code O...}). */
    public static boolean isValidPublicOperatorKey(String key) {
        return publicKeyBytes(key, PREFIX_OPERATOR) != null;
    }

    /**
     * The role prefix of a well-formed public nkey (one of the {@code PREFIX_} constants), or -1
     * when the string is not a public nkey.
     */
    public static int role(String key) {
        if (key == null || key.length() != 56) return -1;
        byte[] raw = base32Decode(key);
        if (raw == null || raw.length != 35) return -1;
        int crc = (raw[33] & 0xff) | (raw[34] & 0xff) << 8;
        if (crc16(raw, 33) != crc) return -1;
        int prefix = raw[0] & 0xff;
        return prefix == PREFIX_USER || prefix == PREFIX_ACCOUNT || prefix == PREFIX_OPERATOR || prefix == PREFIX_SERVER
                ? prefix : -1;
    }

    /**
     * Verifies that {@code signature} (base64, URL-safe without padding, or standard as a
     * fallback, as upstream accepts) is the user's ed25519 signature of {@code data}.
     */
    public static boolean verify(String publicUserKey, byte[] data, String signature) {
        if (signature == null || signature.isEmpty() || data == null) return false;
        byte[] sig = decodeSignature(signature);
        return sig != null && verifyRaw(publicKeyBytes(publicUserKey, PREFIX_USER), data, sig);
    }

    /** Verifies a raw ed25519 {@code signature} of {@code data} by the public nkey {@code key}, of any role. */
    public static boolean verify(String key, byte[] data, byte[] signature) {
        int role = role(key);
        return role >= 0 && signature != null && data != null && verifyRaw(publicKeyBytes(key, role), data, signature);
    }

    /** PKCS#8 of an ed25519 private key, before its 32 raw seed bytes. */
    private static final byte[] ED25519_PKCS8_PREFIX = {
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

    /**
     * Signs {@code data} with an nkey seed ({@code S...}, as a .creds file holds it): two prefix
     * bytes (seed, role), the 32-byte ed25519 seed and the CRC16, base32. Returns the raw
     * signature; throws IllegalArgumentException for a malformed seed.
     */
    public static byte[] sign(String seed, byte[] data) {
        byte[] raw = seed == null ? null : base32Decode(seed.trim());
        if (raw == null || raw.length != 36 || (raw[0] & 0xf8) != (18 << 3)) {
            throw new IllegalArgumentException("malformed seed");
        }
        int crc = (raw[34] & 0xff) | (raw[35] & 0xff) << 8;
        if (crc16(raw, 34) != crc) throw new IllegalArgumentException("malformed seed");
        try {
            byte[] pkcs8 = Arrays.copyOf(ED25519_PKCS8_PREFIX, ED25519_PKCS8_PREFIX.length + 32);
            System.arraycopy(raw, 2, pkcs8, ED25519_PKCS8_PREFIX.length, 32);
            var key = KeyFactory.getInstance("Ed25519").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("malformed seed", e);
        }
    }

    private static boolean verifyRaw(byte[] key, byte[] data, byte[] sig) {
        if (key == null) return false;
        try {
            byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
            System.arraycopy(key, 0, spki, ED25519_SPKI_PREFIX.length, 32);
            PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(pub);
            verifier.update(data);
            return verifier.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] decodeSignature(String s) {
        try {
            return Base64.getUrlDecoder().decode(stripPadding(s));
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e2) {
                return null;
            }
        }
    }

    /** RawURL encoding has no padding; Java's URL decoder would accept padding, Go's would not. */
    private static String stripPadding(String s) {
        if (s.indexOf('=') >= 0) throw new IllegalArgumentException("padding");
        return s;
    }

    /** RFC 4648 base32 without padding; null on a character outside the alphabet. */
    static byte[] base32Decode(String s) {
        int bits = s.length() * 5;
        byte[] out = new byte[bits / 8];
        int buffer = 0;
        int count = 0;
        int pos = 0;
        for (int i = 0; i < s.length(); i++) {
            int v = BASE32.indexOf(s.charAt(i));
            if (v < 0) return null;
            buffer = (buffer << 5) | v;
            count += 5;
            if (count >= 8) {
                count -= 8;
                if (pos < out.length) out[pos++] = (byte) (buffer >> count);
            }
        }
        return out;
    }

    /** RFC 4648 base32 without padding (used by tests and tools to build keys). */
    static String base32Encode(byte[] data) {
        StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int count = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            count += 8;
            while (count >= 5) {
                count -= 5;
                sb.append(BASE32.charAt((buffer >> count) & 31));
            }
        }
        if (count > 0) sb.append(BASE32.charAt((buffer << (5 - count)) & 31));
        return sb.toString();
    }

    /** Encodes a raw 32-byte ed25519 public key as a public nkey with the given role prefix. */
    public static String encodePublicKey(int prefix, byte[] key) {
        byte[] raw = new byte[35];
        raw[0] = (byte) prefix;
        System.arraycopy(key, 0, raw, 1, 32);
        int crc = crc16(raw, 33);
        raw[33] = (byte) crc;
        raw[34] = (byte) (crc >> 8);
        return base32Encode(raw);
    }

    static int crc16(byte[] data, int len) {
        int crc = 0;
        for (int i = 0; i < len; i++) {
            crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ data[i]) & 0xff];
        }
        return crc;
    }

    private static int[] crc16Table() {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            int c = i << 8;
            for (int j = 0; j < 8; j++) c = (c & 0x8000) != 0 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
            t[i] = c;
        }
        return t;
    }
}
