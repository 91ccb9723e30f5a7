package io.jnatsd.server.net;

import io.jnatsd.server.log.ServerLog;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.CertificateVerifier;
import io.netty.internal.tcnative.SSL;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLEngine;

/**
 * BoringSSL (Netty's tcnative) for the client listener with {@code verify}, opted into with
 * {@code -Djnatsd.tls.native=true}.
 *
 * <p>Why: Go answers a client certificate it refuses (expired, unknown CA) with the alert
 * {@code bad_certificate}; the JDK's TLS answers every refusal from a trust manager with
 * {@code certificate_unknown}, whatever the exception says. BoringSSL takes the alert from the
 * verify result a trust manager reports, so a refusal reported as "untrusted" reaches the client
 * as {@code bad_certificate}. Why opt-in: loading the native library and probing it adds about half
 * a second to a start (docs/design.md, TLS). This class is loaded only when the option is on, so
 * a default start never touches tcnative.
 */
final class NativeTls {
    static final String PROPERTY = "jnatsd.tls.native";

    private NativeTls() {
    }

    /** Whether the operator asked for BoringSSL on the client listener. */
    static boolean wanted() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Whether BoringSSL loaded; when it did not, says so and why (the JDK's TLS serves instead). */
    static boolean available(ServerLog log) {
        if (OpenSsl.isAvailable()) {
            log.notice("TLS: client connections served by %s (%s)", OpenSsl.versionString(), PROPERTY);
            return true;
        }
        Throwable why = OpenSsl.unavailabilityCause();
        log.warn("TLS: %s is set but BoringSSL could not be loaded (%s); using the JVM's TLS, which refuses client"
                + " certificates with certificate_unknown", PROPERTY, why == null ? "unknown reason" : why.toString());
        return false;
    }

    /** A trust manager's refusal as BoringSSL turns it into {@code bad_certificate}, as Go sends for every refusal. */
    static CertificateException badCertificate(CertificateException refused) {
        return new OpenSslCertificateException(refused.getMessage(), refused, CertificateVerifier.X509_V_ERR_CERT_UNTRUSTED);
    }

    /**
     * No TLS 1.3 ticket for this connection: Netty turns tickets on per engine, and a stateless
     * ticket would let a client back in without its certificate being checked again (the stateful
     * TLS 1.2 cache is off for the whole context).
     */
    static void noTickets(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine e) SSL.setOptions(e.sslPointer(), SSL.SSL_OP_NO_TICKET);
    }
}
