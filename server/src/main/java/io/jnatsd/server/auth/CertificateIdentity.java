package io.jnatsd.server.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * {@code tls { verify_and_map: true }}: which configured user a client certificate names. Tried
 * in upstream's order: each email SAN, each DNS SAN, each URI SAN (by exact user name); then the
 * subject as a distinguished name, equal to a user name parsed as a DN (RDNs in order, then in
 * any order); then the subject rendered as upstream's Go renders it, first with its domain
 * components appended, then without.
 */
public final class CertificateIdentity {
    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final String OID_DC = "0.9.2342.19200300.100.1.25";

    /** The attribute types upstream's DN matching knows; a subject with any other is not matched as a DN. */
    private static final Map<String, String> DN_TYPES = Map.of(
            "2.5.4.3", "CN", "2.5.4.5", "SERIALNUMBER", "2.5.4.6", "C", "2.5.4.7", "L", "2.5.4.8", "ST",
            "2.5.4.9", "STREET", "2.5.4.10", "O", "2.5.4.11", "OU", "2.5.4.17", "POSTALCODE", OID_DC, "DC");

    /** The order in which Go's pkix.Name lists the attributes it keeps (its String() prints it reversed). */
    private static final List<String> GO_NAME_ORDER = List.of(
            "2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.9", "2.5.4.17", "2.5.4.10", "2.5.4.11", "2.5.4.3", "2.5.4.5");

    private CertificateIdentity() {
    }

    /** One attribute of the subject, in certificate order. */
    record Attr(String oid, String value) {
    }

    /**
     * Finds the user the certificate maps to: {@code lookup} answers whether a user of that
     * exact name exists and may connect; {@code userNames} are all configured names, for the
     * DN comparison. Returns the matching user name, or null.
     */
    public static String map(X509Certificate cert, Predicate<String> lookup, Collection<String> userNames) {
        for (int type : new int[] {SAN_EMAIL, SAN_DNS, SAN_URI}) {
            for (String name : subjectAltNames(cert, type)) {
                if (lookup.test(name)) return name;
            }
        }
        List<List<Attr>> rdns = subjectRdns(cert);
        if (rdns == null) return null;
        List<List<Attr>> dn = ldapOrder(rdns);
        if (dn != null) {
            List<String> reordered = new ArrayList<>();
            for (String user : userNames) {
                List<List<Attr>> userDn = parseDn(user);
                if (userDn == null || !lookup.test(user)) continue;
                if (rdnsEqualInOrder(userDn, dn)) return user;
                reordered.add(user);
            }
            for (String user : reordered) {
                if (rdnsEqualAnyOrder(parseDn(user), dn)) return user;
            }
        }
        String rendered = goSubjectString(rdns);
        String dcs = domainComponents(rdns);
        if (!dcs.isEmpty()) {
            String withDcs = rendered + "," + dcs;
            if (lookup.test(withDcs)) return withDcs;
        }
        return lookup.test(rendered) ? rendered : null;
    }

    static List<String> subjectAltNames(X509Certificate cert, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans == null) return out;
            for (List<?> san : sans) {
                if (san.size() >= 2 && san.get(0) instanceof Integer t && t == type && san.get(1) instanceof String s) {
                    out.add(s);
                }
            }
        } catch (CertificateParsingException e) {
            // no usable SANs
        }
        return out;
    }

    /** The subject's RDNs in certificate (DER) order, each a list of attributes; null if unparsable. */
    static List<List<Attr>> subjectRdns(X509Certificate cert) {
        try {
            List<List<Attr>> out = new ArrayList<>();
            for (Der set : Der.parse(cert.getSubjectX500Principal().getEncoded()).children()) {
                List<Attr> rdn = new ArrayList<>();
                for (Der atv : set.children()) {
                    List<Der> tv = atv.children();
                    if (tv.size() != 2) return null;
                    rdn.add(new Attr(tv.get(0).oid(), tv.get(1).string()));
                }
                out.add(rdn);
            }
            return out;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The subject as upstream's LDAP comparison sees it: RDNs in string order (last first), types
     * by name; null when an attribute is of a type it does not know or not a string.
     */
    private static List<List<Attr>> ldapOrder(List<List<Attr>> rdns) {
        List<List<Attr>> out = new ArrayList<>();
        for (int i = rdns.size() - 1; i >= 0; i--) {
            if (rdns.get(i).isEmpty()) continue;
            List<Attr> rdn = new ArrayList<>();
            for (Attr a : rdns.get(i)) {
                String type = DN_TYPES.get(a.oid());
                if (type == null || a.value() == null) return null;
                rdn.add(new Attr(type, a.value()));
            }
            out.add(rdn);
        }
        return out;
    }

    /** A user name read as an RFC 4514 DN, in string order; null when it is not one. */
    static List<List<Attr>> parseDn(String name) {
        try {
            LdapName ln = new LdapName(name);
            List<Rdn> rdns = ln.getRdns(); // rightmost first
            List<List<Attr>> out = new ArrayList<>();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                List<Attr> rdn = new ArrayList<>();
                NamingEnumeration<? extends Attribute> attrs = rdns.get(i).toAttributes().getAll();
                while (attrs.hasMore()) {
                    Attribute a = attrs.next();
                    NamingEnumeration<?> values = a.getAll();
                    while (values.hasMore()) {
                        Object v = values.next();
                        if (!(v instanceof String s)) return null;
                        rdn.add(new Attr(a.getID(), s));
                    }
                }
                out.add(rdn);
            }
            return out;
        } catch (NamingException | IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean rdnsEqualInOrder(List<List<Attr>> a, List<List<Attr>> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (!sameAttributes(a.get(i), b.get(i))) return false;
        }
        return true;
    }

    private static boolean rdnsEqualAnyOrder(List<List<Attr>> a, List<List<Attr>> b) {
        if (a == null || a.size() != b.size()) return false;
        outer:
        for (List<Attr> ra : a) {
            for (List<Attr> rb : b) {
                if (sameAttributes(ra, rb)) continue outer;
            }
            return false;
        }
        return true;
    }

    private static boolean sameAttributes(List<Attr> a, List<Attr> b) {
        return a.size() == b.size() && containsAll(a, b) && containsAll(b, a);
    }

    private static boolean containsAll(List<Attr> in, List<Attr> wanted) {
        for (Attr w : wanted) {
            boolean found = false;
            for (Attr x : in) {
                if (x.oid().equalsIgnoreCase(w.oid()) && x.value().equals(w.value())) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }

    /**
     * The subject as Go's {@code pkix.Name.String()} prints a parsed certificate's subject:
     * only the attributes Go keeps as fields, grouped in Go's fixed order, printed reversed
     * ({@code CN=...,OU=...,O=...,C=...}); a group of several values is one {@code +}-joined RDN.
     */
    static String goSubjectString(List<List<Attr>> rdns) {
        Map<String, List<String>> byType = new java.util.HashMap<>();
        for (List<Attr> rdn : rdns) {
            for (Attr a : rdn) {
                if (a.value() == null || !GO_NAME_ORDER.contains(a.oid())) continue;
                List<String> values = byType.computeIfAbsent(a.oid(), k -> new ArrayList<>());
                // CN and SERIALNUMBER are single fields in Go: the last one wins.
                if (a.oid().equals("2.5.4.3") || a.oid().equals("2.5.4.5")) values.clear();
                values.add(a.value());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = GO_NAME_ORDER.size() - 1; i >= 0; i--) {
            String oid = GO_NAME_ORDER.get(i);
            List<String> values = byType.get(oid);
            if (values == null || values.isEmpty()) continue;
            if (sb.length() > 0) sb.append(',');
            for (int j = 0; j < values.size(); j++) {
                if (j > 0) sb.append('+');
                sb.append(DN_TYPES.get(oid)).append('=').append(goEscape(values.get(j)));
            }
        }
        return sb.toString();
    }

    /** The {@code DC=} attributes in certificate order, comma-joined (upstream appends them). */
    static String domainComponents(List<List<Attr>> rdns) {
        StringBuilder sb = new StringBuilder();
        for (List<Attr> rdn : rdns) {
            for (Attr a : rdn) {
                if (!a.oid().equals(OID_DC) || a.value() == null) continue;
                if (sb.length() > 0) sb.append(',');
                sb.append("DC=").append(a.value());
            }
        }
        return sb.toString();
    }

    private static String goEscape(String v) {
        StringBuilder sb = new StringBuilder(v.length() + 4);
        byte[] utf8 = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int bytePos = 0;
        for (int i = 0; i < v.length(); ) {
            int c = v.codePointAt(i);
            boolean escape = switch (c) {
                case ',', '+', '"', '\\', '<', '>', ';' -> true;
                case ' ' -> bytePos == 0 || bytePos == utf8.length - 1;
                case '#' -> bytePos == 0;
                default -> false;
            };
            if (escape) sb.append('\\');
            sb.appendCodePoint(c);
            bytePos += new String(Character.toChars(c)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            i += Character.charCount(c);
        }
        return sb.toString();
    }
}
