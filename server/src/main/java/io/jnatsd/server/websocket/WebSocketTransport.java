package io.jnatsd.server.websocket;

import io.jnatsd.server.config.WebsocketOptions;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.net.ServerTls;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.function.Supplier;

/**
 * WebSocket as a transport in front of a connection kind that speaks bytes: each accepted socket gets
 * [TLS first, for {@code wss://}] → Netty's HTTP codec → (permessage-deflate negotiation) → {@link WebSocketUpgrade};
 * once upgraded, Netty's frame codec → (deflate) → {@link WebSocketFrames} → whatever the {@link Connector} adds.
 * The connection behind it sees a byte stream and writes ByteBufs, as over a plain socket.
 */
public final class WebSocketTransport {
    /** Upstream's wsCompressThreshold: buffers this small are not worth compressing. */
    static final int COMPRESS_THRESHOLD = 64;
    /** Upstream answers 101 with both no-context-takeover flags; deflate is cheap at its level, BestSpeed. */
    private static final int COMPRESSION_LEVEL = 1;
    private static final int MAX_HTTP_REQUEST_BYTES = 64 * 1024;

    /** The connection kind behind the transport. */
    @FunctionalInterface
    public interface Connector {
        /**
         * The socket has been upgraded (on its event loop): add the connection's handler at the end of the
         * pipeline (it is then told the channel is active). Returns what decides the status of the Close frame
         * sent when the connection is closed.
         */
        Supplier<CloseStatus> connect(SocketChannel ch, Handshake handshake);
    }

    private final ServerLog log;
    private final ServerTls tls;
    private final Origins origins;
    private final boolean compression;
    private final long handshakeTimeoutNanos;
    private final String jwtCookie;
    private final int maxFramePayload;
    private final Connector connector;
    private final PerMessageDeflateServerExtensionHandshaker deflate;

    /**
     * @param tls             TLS for {@code wss://} (its handshake comes first), or null for {@code ws://}
     * @param maxFramePayload the largest frame accepted (and the largest inflated message): a frame is read whole
     *                        before its bytes go on
     */
    public WebSocketTransport(WebsocketOptions o, ServerTls tls, int maxFramePayload, ServerLog log, Connector connector) {
        this.log = log;
        this.tls = tls;
        this.origins = new Origins(o.sameOrigin, o.allowedOrigins, why -> log.error("error parsing allowed origin: %s", why));
        this.compression = o.compression;
        this.handshakeTimeoutNanos = o.handshakeTimeout == null ? 0 : o.handshakeTimeout.toNanos();
        this.jwtCookie = o.jwtCookie;
        this.maxFramePayload = maxFramePayload;
        this.connector = connector;
        this.deflate = o.compression ? deflateHandshaker(maxFramePayload) : null;
    }

    /**
     * permessage-deflate as upstream offers it: accepted whether or not the client asks for no context takeover
     * (Netty's WebSocketServerCompressionHandler would refuse an offer of server_no_context_takeover, which
     * clients send), small frames sent uncompressed.
     */
    private static PerMessageDeflateServerExtensionHandshaker deflateHandshaker(int maxAllocation) {
        WebSocketExtensionFilter small = frame -> frame.content().readableBytes() <= COMPRESS_THRESHOLD;
        WebSocketExtensionFilterProvider filters = new WebSocketExtensionFilterProvider() {
            @Override
            public WebSocketExtensionFilter encoderFilter() {
                return small;
            }

            @Override
            public WebSocketExtensionFilter decoderFilter() {
                return WebSocketExtensionFilter.NEVER_SKIP;
            }
        };
        return new PerMessageDeflateServerExtensionHandshaker(COMPRESSION_LEVEL,
                ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
                PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE, true, true, filters, maxAllocation);
    }

    /** Sets up a newly accepted socket. */
    public void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) tls.install(p, ch.alloc(), false);
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(MAX_HTTP_REQUEST_BYTES)));
        p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP_REQUEST_BYTES));
        if (deflate != null) p.addLast("ws-extensions", new WebSocketServerExtensionHandler(deflate));
        p.addLast("ws-upgrade", new WebSocketUpgrade(this));
    }

    ServerLog log() {
        return log;
    }

    ServerTls tls() {
        return tls;
    }

    Origins origins() {
        return origins;
    }

    boolean compression() {
        return compression;
    }

    long handshakeTimeoutNanos() {
        return handshakeTimeoutNanos;
    }

    String jwtCookie() {
        return jwtCookie;
    }

    int maxFramePayload() {
        return maxFramePayload;
    }

    Connector connector() {
        return connector;
    }
}
