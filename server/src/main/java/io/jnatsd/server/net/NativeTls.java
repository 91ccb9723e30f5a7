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
 * BoringSSL (Netty's tcnative) for the client listener with {@code verify}, unless
 * {@code -Djnatsd.tls.native=false}; the JDK's TLS serves where the library cannot load.
 *
 * <p>Why: Go answers a client certificate it refuses (expired, unknown CA) with the alert
 * {@code bad_certificate}; the JDK's TLS answers every refusal from a trust manager with
 * {@code certificate_unknown}, whatever the exception says. BoringSSL takes the alert from the
 * verify result a trust manager reports, so a refusal reported as "untrusted" reaches the client
 * as {@code bad_certificate}. It costs a start nothing measurable: the library loads in the time the
 * JDK's TLS context would have taken to build (docs/design.md, TLS). This class is loaded only for
 * a listener with {@code verify}, so other starts never touch tcnative.
 */
final class NativeTls {
    private NativeTls() {
    }

    /**
     * Whether BoringSSL loaded; when it did not, says why (a warning when {@code asked} for by name, else at
     * debug level: on a platform without the library the JDK's TLS is simply what serves).
     */
    static boolean available(ServerLog log, boolean asked) {
        if (OpenSsl.isAvailable()) {
            log.debug("TLS: client connections served by %s", OpenSsl.versionString());
            return true;
        }
        Throwable why = OpenSsl.unavailabilityCause();
        String fmt = "TLS: BoringSSL could not be loaded (%s); client connections use the JVM's TLS, which refuses"
                + " client certificates with certificate_unknown (upstream: bad_certificate)";
        if (asked) log.warn(fmt, why == null ? "unknown reason" : why.toString());
        else log.debug(fmt, why == null ? "unknown reason" : why.toString());
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
