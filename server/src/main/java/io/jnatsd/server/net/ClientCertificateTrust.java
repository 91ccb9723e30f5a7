package io.jnatsd.server.net;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks client certificates (PKIX, against {@code ca_file} or the JVM's roots) and makes every
 * session whose client presented one unresumable.
 *
 * <p>Why: the JDK resumes a TLS session (a TLS 1.2 session id, a TLS 1.3 ticket) without looking
 * at the client certificate again, so a client whose certificate has expired since (or that a
 * reloaded {@code ca_file} no longer trusts) would be let in by resuming. Go re-checks the
 * certificate's expiry on resumption; the JDK offers no hook there, so a session carrying a client
 * certificate is invalidated while it is being made: no session id is cached and no ticket is sent,
 * and each connection does a full handshake in which the certificate is checked. Sessions without
 * a client certificate ({@code verify} off) are resumable as before.
 */
final class ClientCertificateTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;
    /** Refusals reported so that BoringSSL sends {@code bad_certificate} ({@link NativeTls}). */
    private final boolean nativeAlerts;

    private ClientCertificateTrust(X509ExtendedTrustManager pkix, boolean nativeAlerts) {
        this.pkix = pkix;
        this.nativeAlerts = nativeAlerts;
    }

    /**
     * Trusting {@code cas}, or the JVM's default roots when null. Without {@code verify} no client
     * certificate is asked for and none is ever checked, so the JVM's ~150 roots (parsed at every
     * start otherwise) are not loaded: an empty store stands in.
     */
    static ClientCertificateTrust create(List<X509Certificate> cas, boolean verify, boolean nativeAlerts)
            throws GeneralSecurityException {
        KeyStore store = null;
        if (cas != null || !verify) {
            if (cas == null) cas = List.of();
            try {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
            } catch (java.io.IOException e) {
                throw new GeneralSecurityException(e);
            }
            for (int i = 0; i < cas.size(); i++) store.setCertificateEntry("ca" + i, cas.get(i));
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) return new ClientCertificateTrust(x, nativeAlerts);
        }
        throw new GeneralSecurityException("no X509 trust manager in " + f.getAlgorithm());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException refused) {
            throw nativeAlerts ? NativeTls.badCertificate(refused) : refused;
        }
        neverResume(engine.getHandshakeSession());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
        if (socket instanceof javax.net.ssl.SSLSocket s) neverResume(s.getHandshakeSession());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    private static void neverResume(SSLSession handshake) {
        if (handshake != null) handshake.invalidate();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
