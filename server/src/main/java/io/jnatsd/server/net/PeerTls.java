package io.jnatsd.server.net;

import io.jnatsd.server.config.TlsOptions;
import io.jnatsd.server.log.ServerLog;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS between servers (routes), as upstream does it: the handshake comes first, before any
 * protocol byte; the server that accepted is the TLS server and asks for the dialler's
 * certificate when {@code verify} is set; the dialler checks the other's certificate against
 * {@code ca_file} and the host it dialled, unless {@code insecure}.
 */
public final class PeerTls {
    private final TlsOptions options;
    private final ServerTls accepting;
    private final SslContext dialling;

    private PeerTls(TlsOptions options, ServerTls accepting, SslContext dialling) {
        this.options = options;
        this.accepting = accepting;
        this.dialling = dialling;
    }

    /** Throws IllegalArgumentException, as {@link ServerTls#create}, when the files are unusable. */
    public static PeerTls create(TlsOptions o, ServerLog log) {
        ServerTls accepting = ServerTls.createHandshakeFirst(o, log);
        try {
            List<X509Certificate> chain = PemFiles.certificates(Path.of(o.certFile));
            PrivateKey key = PemFiles.privateKey(Path.of(o.keyFile));
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .keyManager(new PemKeyManager(key, chain))
                    .protocols("1.3".equals(o.minVersion) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"});
            if (o.insecure) b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            else if (o.caFile != null) b.trustManager(PemFiles.certificates(Path.of(o.caFile)).toArray(X509Certificate[]::new));
            return new PeerTls(o, accepting, b.build());
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("error creating TLS configuration: " + e.getMessage(), e);
        }
    }

    /**
     * The key and trust of a cluster's TLS block for a transport of its own (clustered
     * JetStream's Raft): this server's certificate, and the CA (any certificate with
     * {@code insecure}) that peers' certificates must chain to, both ways.
     */
    public static Managers managers(TlsOptions o) {
        try {
            List<X509Certificate> chain = PemFiles.certificates(Path.of(o.certFile));
            PrivateKey key = PemFiles.privateKey(Path.of(o.keyFile));
            javax.net.ssl.TrustManager trust;
            if (o.insecure || o.caFile == null) {
                trust = InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0];
            } else {
                java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (X509Certificate ca : PemFiles.certificates(Path.of(o.caFile))) ks.setCertificateEntry("ca" + i++, ca);
                var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                trust = tmf.getTrustManagers()[0];
            }
            return new Managers(new PemKeyManager(key, chain), trust);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("error creating TLS configuration: " + e.getMessage(), e);
        }
    }

    /** A certificate to present and the trust to check the other side's with. */
    public record Managers(javax.net.ssl.KeyManager keys, javax.net.ssl.TrustManager trust) {}

    /** TLS on a socket another server dialled: this side is the TLS server. */
    public void installAccepted(ChannelPipeline pipeline, ByteBufAllocator alloc) {
        accepting.install(pipeline, alloc, false);
    }

    /** TLS on a socket this server dialled to {@code host}: this side is the TLS client. */
    public void installDialled(ChannelPipeline pipeline, ByteBufAllocator alloc, String host, int port) {
        SSLEngine engine = dialling.newEngine(alloc, host, port);
        if (!options.insecure) {
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        SslHandler h = new SslHandler(engine, false);
        h.setHandshakeTimeoutMillis(Math.max(1, options.timeout.toMillis()));
        pipeline.addLast(ServerTls.HANDLER_NAME, h);
    }
}
