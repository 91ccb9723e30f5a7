package io.jnatsd.server.net;

import io.jnatsd.server.config.TlsNames;
import io.jnatsd.server.config.TlsOptions;
import io.jnatsd.server.log.ServerLog;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The server side of TLS for client connections, built in one place from {@link TlsOptions}
 * (PEM files, as upstream) with the JDK's provider, or with BoringSSL for the client listener
 * with {@code verify} ({@link NativeTls}). Immutable: reloading certificates means building a new one and
 * swapping the reference the listener reads.
 */
public final class ServerTls {
    /** The name of the SslHandler in a connection's pipeline. */
    public static final String HANDLER_NAME = "tls";
    /**
     * {@code false} keeps the JDK's TLS on the client listener even with {@code verify}; {@code true} asks for
     * BoringSSL loudly (a warning when it cannot load). See {@link NativeTls}.
     */
    static final String NATIVE_PROPERTY = "jnatsd.tls.native";

    private final TlsOptions options;
    private final SslContext context;
    private final String[] namedGroups;
    private final Set<String> pinned;
    /** BoringSSL rather than the JDK: named groups are the context's, and no engine gets tickets. */
    private final boolean nativeTls;

    private ServerTls(TlsOptions options, SslContext context, String[] namedGroups, Set<String> pinned, boolean nativeTls) {
        this.options = options;
        this.context = context;
        this.namedGroups = namedGroups;
        this.pinned = pinned;
        this.nativeTls = nativeTls;
    }

    /**
     * For the client listener: as {@link #create}, but with {@code verify} BoringSSL serves it, so that a
     * refused client certificate gets {@code bad_certificate} as from upstream; the JDK's TLS when the library
     * cannot load here or {@code -Djnatsd.tls.native=false} says so. Without {@code verify} nothing is refused
     * and the JDK serves, as on every other listener.
     */
    public static ServerTls createForClients(TlsOptions o, ServerLog log) {
        String asked = System.getProperty(NATIVE_PROPERTY);
        boolean nativeTls = o.verify && !"false".equalsIgnoreCase(asked) && NativeTls.available(log, "true".equalsIgnoreCase(asked));
        return create(o, log, nativeTls);
    }

    /**
     * Loads the certificate, key and CA files and builds the context; throws
     * IllegalArgumentException with upstream-like text when they are missing or unusable.
     * Cipher suites and curves upstream knows but the JDK lacks are logged and left out.
     */
    public static ServerTls create(TlsOptions o, ServerLog log) {
        return create(o, log, false);
    }

    private static ServerTls create(TlsOptions o, ServerLog log, boolean nativeTls) {
        if (o.certFile == null || o.keyFile == null) {
            throw new IllegalArgumentException("TLS Server certificate must be present and valid");
        }
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = PemFiles.certificates(Path.of(o.certFile));
            key = PemFiles.privateKey(Path.of(o.keyFile));
            if (chain.isEmpty()) throw new GeneralSecurityException("failed to find any PEM data in certificate input");
        } catch (java.io.IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("error parsing X509 certificate/key pair: " + describe(e), e);
        }
        List<X509Certificate> cas = null;
        if (o.caFile != null) {
            try {
                cas = PemFiles.certificates(Path.of(o.caFile));
            } catch (java.io.IOException | GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException("failed to parse root ca certificate: " + describe(e), e);
            }
            if (cas.isEmpty()) throw new IllegalArgumentException("failed to parse root ca certificate");
        }
        try {
            String[] groups = namedGroups(o, log, chain.get(0));
            SslContextBuilder b = SslContextBuilder.forServer(new PemKeyManager(key, chain))
                    .sslProvider(nativeTls ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols("1.3".equals(o.minVersion) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"})
                    .ciphers(jdkCiphers(o, log), IdentityCipherSuiteFilter.INSTANCE)
                    .clientAuth(o.verify ? ClientAuth.REQUIRE : ClientAuth.NONE)
                    .startTls(!o.handshakeFirst)
                    .trustManager(ClientCertificateTrust.create(cas, o.verify, nativeTls));
            if (nativeTls && groups.length > 0) b.option(io.netty.handler.ssl.OpenSslContextOption.GROUPS, groups);
            SslContext ctx = b.build();
            if (nativeTls) {
                // no TLS 1.2 session cache: a resumed session would skip the certificate check
                ((io.netty.handler.ssl.OpenSslContext) ctx).sessionContext().setSessionCacheEnabled(false);
            }
            Set<String> pins = o.pinnedCerts == null ? Set.of() : new HashSet<>(o.pinnedCerts);
            return new ServerTls(o, ctx, groups, pins, nativeTls);
        } catch (GeneralSecurityException | javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("error creating TLS configuration: " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException n) return "open " + n.getFile() + ": no such file or directory";
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static List<String> jdkCiphers(TlsOptions o, ServerLog log) {
        Set<String> supported = jdkSupported(true);
        List<String> out = new ArrayList<>();
        for (String tls13 : TlsNames.TLS13_CIPHERS) {
            if (supported.contains(tls13)) out.add(tls13);
        }
        List<String> wanted = o.cipherSuites == null ? TlsNames.DEFAULT_CIPHERS : o.cipherSuites;
        for (String name : wanted) {
            String jdk = TlsNames.CIPHERS.get(name);
            if (jdk == null || !supported.contains(jdk)) {
                log.warn("TLS cipher suite %s is not available in this JVM; ignoring it", name);
                continue;
            }
            if (!out.contains(jdk)) out.add(jdk);
        }
        return out;
    }

    /**
     * The key-exchange groups, in preference order. Unlike Go, the JDK also uses this list to
     * pick an ECDSA certificate, so the certificate's own curve is kept in it (last).
     */
    private static String[] namedGroups(TlsOptions o, ServerLog log, X509Certificate cert) {
        List<String> wanted = o.curvePreferences == null ? TlsNames.DEFAULT_CURVES : o.curvePreferences;
        List<String> out = new ArrayList<>();
        for (String name : wanted) {
            String jdk = TlsNames.CURVES.get(name);
            if (jdk == null) {
                log.warn("TLS curve preference %s is not available in this JVM; ignoring it", name);
            } else {
                out.add(jdk);
            }
        }
        if (cert.getPublicKey() instanceof java.security.interfaces.ECPublicKey ec) {
            String group = switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> "secp256r1";
                case 384 -> "secp384r1";
                case 521 -> "secp521r1";
                default -> null;
            };
            if (group != null && !out.contains(group)) out.add(group);
        }
        return out.toArray(String[]::new);
    }

    private static Set<String> jdkSupported(boolean ciphers) {
        try {
            SSLParameters p = SSLContext.getDefault().getSupportedSSLParameters();
            return new HashSet<>(Arrays.asList(ciphers ? p.getCipherSuites() : p.getProtocols()));
        } catch (NoSuchAlgorithmException e) {
            return Set.of();
        }
    }

    public TlsOptions options() {
        return options;
    }

    /** Whether clients must present a certificate (INFO's {@code tls_verify}). */
    public boolean verify() {
        return options.verify;
    }

    /** Whether TLS starts before INFO ({@code handshake_first}). */
    public boolean handshakeFirst() {
        return options.handshakeFirst;
    }

    /**
     * TLS whose handshake comes before any protocol byte, whatever the block says about
     * {@code handshake_first}: HTTPS (WebSocket) and routes, as upstream.
     */
    public static ServerTls createHandshakeFirst(TlsOptions o, ServerLog log) {
        TlsOptions first = o.copy();
        first.handshakeFirst = true;
        first.handshakeFirstFallback = java.time.Duration.ZERO;
        return create(first, log);
    }

    /**
     * Sets up TLS on a newly accepted socket, before the connection's own handler is added.
     * By default the first write (INFO) goes out in plaintext and the client then starts the
     * handshake, as NATS does; {@code handshake_first} puts the handshake first (with a fallback
     * delay, a silent client gets the default); {@code allowNonTls} lets a client stay
     * plaintext unless its first byte starts a TLS handshake.
     */
    public void install(ChannelPipeline pipeline, ByteBufAllocator alloc, boolean allowNonTls) {
        long fallback = options.handshakeFirstFallback.toNanos();
        if (options.handshakeFirst && fallback > 0) {
            pipeline.addLast("tls-sniffer", new TlsSniffer(this, TlsSniffer.Mode.TLS_FIRST_WITH_FALLBACK, fallback));
        } else if (options.handshakeFirst) {
            pipeline.addLast(HANDLER_NAME, sslHandler(alloc, false));
        } else if (allowNonTls) {
            pipeline.addLast("tls-sniffer", new TlsSniffer(this, TlsSniffer.Mode.MIXED, 0));
        } else {
            pipeline.addLast(HANDLER_NAME, sslHandler(alloc, true));
        }
    }

    /** A handler for one socket; with {@code startTls} the first write goes out in plaintext. */
    SslHandler sslHandler(ByteBufAllocator alloc, boolean startTls) {
        SSLEngine engine = context.newEngine(alloc);
        if (nativeTls) {
            NativeTls.noTickets(engine);
        } else if (namedGroups.length > 0) {
            SSLParameters p = engine.getSSLParameters();
            try {
                p.setNamedGroups(namedGroups);
                engine.setSSLParameters(p);
            } catch (RuntimeException ignored) {
                // keep the JDK's groups
            }
        }
        SslHandler h = new SslHandler(engine, startTls);
        h.setHandshakeTimeoutMillis(Math.max(1, options.timeout.toMillis()));
        return h;
    }

    /** Whether a verified client certificate is one of {@code pinned_certs} (true when none are pinned). */
    public boolean pinnedCertificateOk(Channel ch) {
        return pinnedCertificateOk(pinned, ch);
    }

    /**
     * Whether the certificate the peer presented on {@code ch} (a client's, or the server's when
     * this side dialled) is one of {@code pinned} (SHA-256 of its SubjectPublicKeyInfo, in hex);
     * true when nothing is pinned.
     */
    public static boolean pinnedCertificateOk(java.util.Collection<String> pinned, Channel ch) {
        if (pinned == null || pinned.isEmpty()) return true;
        List<X509Certificate> peer = peerCertificates(ch);
        if (peer.isEmpty()) return false;
        try {
            byte[] spki = peer.get(0).getPublicKey().getEncoded();
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
            return pinned.contains(hex);
        } catch (NoSuchAlgorithmException e) {
            return false;
        }
    }

    /** The certificate chain the client presented on this channel; empty without TLS or a client certificate. */
    public static List<X509Certificate> peerCertificates(Channel ch) {
        SslHandler h = ch.pipeline().get(SslHandler.class);
        if (h == null) return List.of();
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : h.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) out.add(x);
            }
            return out;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** "1.3, cipher suite TLS_AES_128_GCM_SHA256" for the debug log after a handshake. */
    public static String describeSession(Channel ch) {
        SslHandler h = ch.pipeline().get(SslHandler.class);
        if (h == null) return "";
        var s = h.engine().getSession();
        String v = s.getProtocol().startsWith("TLSv") ? s.getProtocol().substring(4) : s.getProtocol();
        return "TLS version " + v + ", cipher suite " + s.getCipherSuite();
    }
}
