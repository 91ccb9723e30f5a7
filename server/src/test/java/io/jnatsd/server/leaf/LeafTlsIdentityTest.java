package io.jnatsd.server.leaf;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.LeafPair;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestCerts;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who a leaf node is by its TLS certificate, as upstream 2.9.10: with {@code verify_and_map}
 * the leaf node user is the one its certificate names (and it binds to that user's account);
 * with {@code pinned_certs} only a leaf whose certificate is pinned gets in. Each mix of jnatsd
 * and upstream as hub and leaf.
 */
class LeafTlsIdentityTest {
    static Stream<Arguments> mixes() {
        return LeafNodeInteropTest.mixes();
    }

    private static String remoteTls(TestCerts certs, Path cert, Path key) {
        return "tls { cert_file: \"" + cert + "\", key_file: \"" + key + "\", ca_file: \"" + certs.caCert + "\" }\n";
    }

    /** alice's certificate (email SAN alice@example.com) maps to the leaf user of that name, bound to account A. */
    @ParameterizedTest
    @MethodSource("mixes")
    void verifyAndMapBindsTheLeafToItsCertificatesUser(Impl hubImpl, Impl leafImpl) throws Exception {
        TestCerts certs = TestCerts.get();
        String hubConf = "accounts { A: { users: [ { user: a, password: a } ] } }\n";
        String leafnodes = certs.tlsBlock("verify_and_map: true\ntimeout: 3")
                + "authorization { users [ { user: \"alice@example.com\", account: A } ] }\n";
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, hubConf, leafnodes, "",
                remoteTls(certs, certs.aliceCert, certs.aliceKey));
             Connection inA = LeafPair.connect(p.hub, "a:a");
             Connection leaf = p.leafClient()) {
            awaitInterest(inA, leaf);
            awaitInterest(leaf, inA);
        }
    }

    /** Pinned to alice's key: alice's leaf gets in, bob's (dialling since before alice) never does. */
    @ParameterizedTest
    @MethodSource("mixes")
    void pinnedCertsAdmitOnlyThePinnedLeaf(Impl hubImpl, Impl leafImpl) throws Exception {
        TestCerts certs = TestCerts.get();
        int leafPort = TestServer.freePort();
        String leafnodes = certs.tlsBlock("verify: true\ntimeout: 3\npinned_certs: [\"" + spkiSha256(certs.aliceCert) + "\"]");
        try (TestServer hub = LeafPair.hubWithLeafPort(hubImpl, leafPort, "", leafnodes);
             TestServer bob = TestServer.startMonitored(leafImpl,
                     LeafPair.leafConfig(leafPort, "", remoteTls(certs, certs.bobCert, certs.bobKey), ""), null);
             TestServer alice = TestServer.startMonitored(leafImpl,
                     LeafPair.leafConfig(leafPort, "", remoteTls(certs, certs.aliceCert, certs.aliceKey), ""), null);
             Connection h = LeafPair.connect(hub, null);
             Connection a = LeafPair.connect(alice, null)) {
            awaitInterest(h, a);
            assertEquals(1, new MonitorHttp(hub).json("/leafz").path("leafnodes").asInt(), "only alice's leaf");
            assertEquals(0, new MonitorHttp(bob).json("/leafz").path("leafnodes").asInt(), "bob's leaf is refused");
        }
    }

    /** The hex SHA-256 of the certificate's SubjectPublicKeyInfo, as pinned_certs lists keys. */
    private static String spkiSha256(Path cert) throws Exception {
        try (InputStream in = Files.newInputStream(cert)) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded()));
        }
    }
}
