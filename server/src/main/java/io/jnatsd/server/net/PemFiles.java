package io.jnatsd.server.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as upstream uses them (Go's tls.LoadX509KeyPair and x509 pools): certificate chains
 * and CA bundles of {@code CERTIFICATE} blocks, and an unencrypted private key as
 * {@code PRIVATE KEY} (PKCS#8), {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY}
 * (SEC1); the last two are rewrapped as PKCS#8 for the JDK. Other blocks are skipped.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final byte[] OID_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] OID_EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {
    }

    record Block(String type, byte[] der, boolean encrypted) {
    }

    static List<Block> blocks(String pem) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String body = m.group(2);
            boolean encrypted = body.contains("Proc-Type: 4,ENCRYPTED");
            StringBuilder b64 = new StringBuilder();
            for (String line : body.split("\\r?\\n")) {
                if (line.contains(":")) continue; // RFC 1421 headers
                b64.append(line.trim());
            }
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(b64.toString()), encrypted));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid base64 in PEM block " + m.group(1));
            }
        }
        return out;
    }

    /** Every certificate in a PEM file, in order. */
    public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        return certificates(Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (Block b : blocks(pem)) {
            if (!b.type().equals("CERTIFICATE")) continue;
            out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
        }
        return out;
    }

    /** The first private key in a PEM file. */
    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        return privateKey(Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        for (Block b : blocks(pem)) {
            if (!b.type().equals("PRIVATE KEY") && !b.type().endsWith(" PRIVATE KEY")) continue;
            if (b.encrypted() || b.type().equals("ENCRYPTED PRIVATE KEY")) {
                throw new GeneralSecurityException("encrypted private keys are not supported");
            }
            byte[] pkcs8 = switch (b.type()) {
                case "RSA PRIVATE KEY" -> wrapPkcs8(sequence(OID_RSA, new byte[] {0x05, 0x00}), b.der());
                case "EC PRIVATE KEY" -> wrapPkcs8(sequence(OID_EC_PUBLIC_KEY, sec1CurveOid(b.der())), b.der());
                default -> b.der();
            };
            return pkcs8Key(pkcs8);
        }
        throw new GeneralSecurityException("failed to find any PEM data in key input");
    }

    private static PrivateKey pkcs8Key(byte[] pkcs8) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key", last);
    }

    /** PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING { key } }. */
    private static byte[] wrapPkcs8(byte[] algorithm, byte[] key) {
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    /**
     * The named-curve OID (as a whole DER element) from a SEC1 ECPrivateKey:
     * SEQUENCE { INTEGER 1, OCTET STRING, [0] { OID }, [1] BIT STRING }.
     */
    private static byte[] sec1CurveOid(byte[] der) throws GeneralSecurityException {
        int[] pos = {0};
        expect(der, pos, 0x30);
        readLength(der, pos);
        expect(der, pos, 0x02);
        int intLen = readLength(der, pos);
        pos[0] += intLen;
        expect(der, pos, 0x04);
        int keyLen = readLength(der, pos);
        pos[0] += keyLen;
        expect(der, pos, 0xa0);
        readLength(der, pos);
        int start = pos[0];
        expect(der, pos, 0x06);
        int len = readLength(der, pos);
        return java.util.Arrays.copyOfRange(der, start, pos[0] + len);
    }

    private static void expect(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
        if (pos[0] >= der.length || (der[pos[0]] & 0xff) != tag) {
            throw new GeneralSecurityException("malformed EC private key (no named curve)");
        }
        pos[0]++;
    }

    private static int readLength(byte[] der, int[] pos) throws GeneralSecurityException {
        if (pos[0] >= der.length) throw new GeneralSecurityException("malformed EC private key");
        int len = der[pos[0]++] & 0xff;
        if (len < 0x80) return len;
        int n = len & 0x7f;
        if (n > 3 || pos[0] + n > der.length) throw new GeneralSecurityException("malformed EC private key");
        len = 0;
        for (int i = 0; i < n; i++) len = (len << 8) | (der[pos[0]++] & 0xff);
        return len;
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
