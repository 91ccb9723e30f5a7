package io.jnatsd.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jnatsd.server.auth.CertificateIdentity.Attr;
import io.jnatsd.server.net.PemFiles;
import io.jnatsd.server.testing.TestCerts;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** verify_and_map: which user name a certificate maps to, in upstream's order of attempts. */
class CertificateIdentityTest {
    private static String map(X509Certificate cert, String... users) {
        Set<String> names = Set.of(users);
        return CertificateIdentity.map(cert, names::contains, List.of(users));
    }

    @Test
    void emailSanComesFirst() throws Exception {
        X509Certificate alice = PemFiles.certificates(TestCerts.get().aliceCert).get(0);
        assertEquals("alice@example.com", map(alice, "alice@example.com", "CN=alice,OU=dev,O=Acme"));
    }

    @Test
    void subjectMatchesAsGoPrintsItOrAsADistinguishedName() throws Exception {
        // alice's subject is CN=alice,OU=dev,O=Acme in DER order
        X509Certificate alice = PemFiles.certificates(TestCerts.get().aliceCert).get(0);
        assertEquals("CN=alice,OU=dev,O=Acme", map(alice, "CN=alice,OU=dev,O=Acme"));
        assertEquals("O=Acme,OU=dev,CN=alice", map(alice, "O=Acme,OU=dev,CN=alice"), "RFC 4514 order of the DER subject");
        assertEquals("OU=dev, CN=alice, O=Acme", map(alice, "OU=dev, CN=alice, O=Acme"), "RDNs in any order");
        assertEquals("o=Acme,ou=dev,cn=alice", map(alice, "o=Acme,ou=dev,cn=alice"), "attribute types ignore case");
        assertNull(map(alice, "O=acme,OU=dev,CN=alice"), "values do not");
        assertNull(map(alice, "CN=alice"));
        assertNull(map(alice, "bob"));
        // bob's subject is O=Acme,OU=ops,CN=bob in DER order; Go prints CN first either way
        X509Certificate bob = PemFiles.certificates(TestCerts.get().bobCert).get(0);
        assertEquals("CN=bob,OU=ops,O=Acme", map(bob, "CN=bob,OU=ops,O=Acme"));
    }

    @Test
    void goRendersKnownAttributesInItsFixedOrderAndAppendsDomainComponents() {
        List<List<Attr>> rdns = List.of(
                List.of(new Attr("0.9.2342.19200300.100.1.25", "org")),
                List.of(new Attr("0.9.2342.19200300.100.1.25", "example")),
                List.of(new Attr("2.5.4.6", "US")),
                List.of(new Attr("2.5.4.10", "Acme, Inc.")),
                List.of(new Attr("2.5.4.11", "a"), new Attr("2.5.4.11", "b")),
                List.of(new Attr("2.5.4.3", " spaced ")),
                List.of(new Attr("1.2.840.113549.1.9.1", "x@example.org")));
        assertEquals("CN=\\ spaced\\ ,OU=a+OU=b,O=Acme\\, Inc.,C=US", CertificateIdentity.goSubjectString(rdns));
        assertEquals("DC=org,DC=example", CertificateIdentity.domainComponents(rdns));
    }
}
