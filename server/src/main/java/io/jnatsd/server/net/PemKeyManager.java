package io.jnatsd.server.net;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The one certificate chain and key read from a server's PEM files, handed to the TLS engine as
 * they are. Netty's own path from a key to a key manager goes through a PKCS#12 key store, which
 * encrypts the key with 10,000 rounds of PBKDF2 and decrypts it again: a quarter of a second of a
 * cold start spent protecting a key that never leaves the process.
 */
public final class PemKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "jnatsd";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    public PemKeyManager(PrivateKey key, List<X509Certificate> chain) {
        this.key = key;
        this.chain = chain.toArray(X509Certificate[]::new);
    }

    /** The JDK asks once per key type it could use ("EC", "RSA", ...): only the key's own matches. */
    private String aliasFor(String keyType) {
        return key.getAlgorithm().equalsIgnoreCase(keyType) ? ALIAS : null;
    }

    /**
     * As a Go client: the certificate goes only to a server whose list of acceptable CAs is empty
     * or names the issuer of one of the chain's certificates.
     */
    private String aliasFor(String[] keyTypes, Principal[] issuers) {
        if (keyTypes == null) return null;
        boolean typeMatches = false;
        for (String t : keyTypes) typeMatches |= aliasFor(t) != null;
        if (!typeMatches) return null;
        if (issuers == null || issuers.length == 0) return ALIAS;
        for (X509Certificate c : chain) {
            for (Principal p : issuers) {
                if (c.getIssuerX500Principal().equals(p)) return ALIAS;
            }
        }
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliasFor(new String[] {keyType}, issuers) == null ? null : new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
