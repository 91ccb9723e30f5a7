package io.jnatsd.server.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made by the tests themselves, written as PEM files both servers read: a test CA,
 * a server certificate for 127.0.0.1/localhost, client certificates (one with an email SAN, one
 * with only a subject DN) and a client certificate from a CA nobody trusts. EC P-256 keys (fast
 * to make); the server key is also written as SEC1 ("EC PRIVATE KEY") and an RSA key as PKCS#1.
 * Made once per test JVM.
 */
public final class TestCerts {
    public final Path dir;
    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    /** The same server key as SEC1 ({@code BEGIN EC PRIVATE KEY}). */
    public final Path serverKeySec1;
    /** An RSA server certificate and its key as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
    public final Path rsaServerCert;
    public final Path rsaServerKeyPkcs1;
    /** Subject CN=alice,OU=dev,O=Acme with email SAN alice@example.com. */
    public final Path aliceCert;
    public final Path aliceKey;
    /** Subject CN=bob,OU=ops,O=Acme (DER order O, OU, CN), no SAN. */
    public final Path bobCert;
    public final Path bobKey;
    /** Signed by a CA the server does not trust. */
    public final Path rogueCert;
    public final Path rogueKey;

    private final KeyPair caKeys;
    private final X509Certificate ca;

    private static TestCerts instance;

    public static synchronized TestCerts get() throws Exception {
        if (instance == null) instance = new TestCerts(Files.createTempDirectory("jnatsd-certs"));
        return instance;
    }

    private TestCerts(Path dir) throws Exception {
        this.dir = dir;
        caKeys = ec();
        ca = sign(new X500Name("CN=jnatsd test CA,O=jnatsd"), caKeys, caKeys, null, true, null);
        caCert = writePem("ca.pem", ca);

        KeyPair sk = ec();
        X509Certificate sc = sign(new X500Name("CN=localhost"), sk, caKeys, ca, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        serverCert = writePem("server.pem", sc, ca);
        serverKey = writePem("server-key.pem", sk.getPrivate());
        serverKeySec1 = dir.resolve("server-key-sec1.pem");
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((java.security.interfaces.ECPrivateKey) sk.getPrivate()).getS(),
                org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1).getEncoded();
        Files.writeString(serverKeySec1, "-----BEGIN EC PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n");

        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        KeyPair rk = rsaGen.generateKeyPair();
        X509Certificate rc = sign(new X500Name("CN=localhost"), rk, caKeys, ca, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        rsaServerCert = writePem("rsa-server.pem", rc);
        rsaServerKeyPkcs1 = writePem("rsa-server-key.pem", rk); // "RSA PRIVATE KEY"

        KeyPair ak = ec();
        X509Certificate ac = sign(new X500Name("CN=alice,OU=dev,O=Acme"), ak, caKeys, ca, false,
                new GeneralNames(new GeneralName(GeneralName.rfc822Name, "alice@example.com")));
        aliceCert = writePem("alice.pem", ac);
        aliceKey = writePem("alice-key.pem", ak.getPrivate());

        KeyPair bk = ec();
        X509Certificate bc = sign(new X500Name("O=Acme,OU=ops,CN=bob"), bk, caKeys, ca, false, null);
        bobCert = writePem("bob.pem", bc);
        bobKey = writePem("bob-key.pem", bk.getPrivate());

        KeyPair rogueCa = ec();
        X509Certificate rca = sign(new X500Name("CN=rogue CA"), rogueCa, rogueCa, null, true, null);
        KeyPair rok = ec();
        X509Certificate roc = sign(new X500Name("CN=alice,OU=dev,O=Acme"), rok, rogueCa, rca, false,
                new GeneralNames(new GeneralName(GeneralName.rfc822Name, "alice@example.com")));
        rogueCert = writePem("rogue.pem", roc);
        rogueKey = writePem("rogue-key.pem", rok.getPrivate());
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair keys, KeyPair issuerKeys, X509Certificate issuer,
                                        boolean isCa, GeneralNames sans) throws Exception {
        return sign(subject, keys, issuerKeys, issuer, isCa, sans, Instant.now().plus(Duration.ofDays(2)));
    }

    private static X509Certificate sign(X500Name subject, KeyPair keys, KeyPair issuerKeys, X509Certificate issuer,
                                        boolean isCa, GeneralNames sans, Instant notAfter) throws Exception {
        Instant now = Instant.now();
        X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(notAfter), subject, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        }
        if (sans != null) b.addExtension(Extension.subjectAlternativeName, false, sans);
        PrivateKey signer = issuerKeys.getPrivate();
        ContentSigner cs = new JcaContentSignerBuilder(signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA").build(signer);
        return new JcaX509CertificateConverter().getCertificate(b.build(cs));
    }

    private Path writePem(String name, Object... objects) throws IOException {
        StringWriter sw = new StringWriter();
        for (Object o : objects) {
            if (o instanceof PrivateKey k) {
                // PKCS#8, as openssl writes keys today
                sw.write("-----BEGIN PRIVATE KEY-----\n"
                        + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(k.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
            } else {
                try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                    // a KeyPair's private key comes out in the traditional format: RSA (PKCS#1) or EC (SEC1)
                    w.writeObject(o instanceof KeyPair kp ? kp.getPrivate() : o);
                }
            }
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sw.toString());
        return p;
    }

    /** A client certificate and key signed by the test CA, and when the certificate stops being valid. */
    public record ClientCert(Path cert, Path key, Instant notAfter) {
        /** Whether both Java and Go (which compare whole seconds) see the certificate as expired. */
        public boolean expired() {
            return Instant.now().isAfter(notAfter.plusSeconds(1));
        }
    }

    /** A new client certificate (CN=carol) that expires {@code validFor} from now. */
    public ClientCert clientValidFor(Duration validFor) throws Exception {
        KeyPair k = ec();
        // X.509 times have whole seconds: round up so the certificate is valid for at least validFor
        Instant notAfter = Instant.now().plus(validFor).plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        X509Certificate c = sign(new X500Name("CN=carol,O=Acme"), k, caKeys, ca, false, null, notAfter);
        String name = "carol-" + System.nanoTime();
        return new ClientCert(writePem(name + ".pem", c), writePem(name + "-key.pem", k.getPrivate()), notAfter);
    }

    /** A client SSLContext trusting the test CA, presenting {@code cert}/{@code key} when given. */
    public SSLContext clientContext(Path cert, Path key) throws Exception {
        return clientContext(cert, key, "TLS");
    }

    /** The same, for a given protocol ({@code "TLSv1.2"} limits the client to TLS 1.2). */
    public SSLContext clientContext(Path cert, Path key, String protocol) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (cert != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<X509Certificate> chain = io.jnatsd.server.net.PemFiles.certificates(cert);
            ks.setKeyEntry("me", io.jnatsd.server.net.PemFiles.privateKey(key), "pw".toCharArray(),
                    chain.toArray(X509Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "pw".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance(protocol);
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** Hex SHA-256 of a certificate's SubjectPublicKeyInfo, as {@code pinned_certs} lists them. */
    public static String spkiSha256(Path cert) throws Exception {
        byte[] spki = io.jnatsd.server.net.PemFiles.certificates(cert).get(0).getPublicKey().getEncoded();
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(spki));
    }

    /** The config text of a {@code tls} block with these files (and any extra lines). */
    public String tlsBlock(String extra) {
        return "tls {\n  cert_file: \"" + serverCert + "\"\n  key_file: \"" + serverKey + "\"\n  ca_file: \"" + caCert + "\"\n"
                + (extra == null ? "" : extra + "\n") + "}\n";
    }
}
