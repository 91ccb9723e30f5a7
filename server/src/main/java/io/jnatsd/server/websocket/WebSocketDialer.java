package io.jnatsd.server.websocket;

import io.jnatsd.server.log.ServerLog;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import java.net.URI;
import java.util.function.Consumer;

/**
 * The client side of the WebSocket transport, for a server that dials out over WebSocket (a leaf
 * node remote with a {@code ws://} or {@code wss://} URL, as upstream's leafNodeSolicitWSConnection):
 * [TLS, for {@code wss://}] → HTTP upgrade request to the given URI → once the 101 is in, the same
 * {@link WebSocketFrames} as the server side, so that the connection behind sees a byte stream.
 * Frames written are masked unless {@code noMasking} was asked for (the {@code Nats-No-Masking}
 * header, which only a NATS server grants).
 */
public final class WebSocketDialer {
    private static final int MAX_HTTP_RESPONSE_BYTES = 64 * 1024;

    private WebSocketDialer() {}

    /**
     * Sets up a socket being connected. {@code tls} is the TLS handler for {@code wss://} or null;
     * {@code upgraded} runs on the event loop once the 101 has been checked and must add the
     * connection's handler at the end of the pipeline (it is then told the channel is active).
     */
    public static void install(SocketChannel ch, URI uri, ChannelHandler tls, boolean compression, boolean noMasking,
                               long timeoutMillis, int maxFramePayload, ServerLog log, Consumer<SocketChannel> upgraded) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) p.addLast("tls", tls);
        p.addLast("http", new HttpClientCodec());
        p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP_RESPONSE_BYTES));
        if (compression) p.addLast("ws-compression", new WebSocketClientExtensionHandler(deflate()));
        HttpHeaders headers = new DefaultHttpHeaders();
        if (noMasking) headers.set(WebSocketUpgrade.NO_MASKING_HEADER, "true");
        p.addLast("ws-client", new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .allowExtensions(compression)
                .customHeaders(headers)
                .performMasking(!noMasking)
                .maxFramePayloadLength(maxFramePayload)
                .handshakeTimeoutMillis(timeoutMillis)
                .handleCloseFrames(false)
                .dropPongFrames(false)
                .withUTF8Validator(false)
                .build()));
        p.addLast("ws-upgraded", new Upgraded(log, upgraded));
    }

    /**
     * permessage-deflate as upstream asks for it (wsPMCReqHeaderValue): no context takeover either
     * way, which is also what a NATS server answers.
     */
    private static PerMessageDeflateClientExtensionHandshaker deflate() {
        return new PerMessageDeflateClientExtensionHandshaker(6, ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
                io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
                true, true);
    }

    /** Waits for the handshake's end, then puts the frames handler and the connection in its place. */
    private static final class Upgraded extends ChannelInboundHandlerAdapter {
        private final ServerLog log;
        private final Consumer<SocketChannel> upgraded;

        Upgraded(ServerLog log, Consumer<SocketChannel> upgraded) {
            this.log = log;
            this.upgraded = upgraded;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // the connection behind is told once the upgrade is done
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ChannelPipeline p = ctx.pipeline();
                WebSocketFrames frames = new WebSocketFrames(log, false);
                p.replace(this, "ws-frames", frames);
                upgraded.accept((SocketChannel) ctx.channel());
                p.context(frames).fireChannelActive();
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                log.error("%s - Error soliciting websocket connection: handshake timed out", ctx.channel().remoteAddress());
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.error("%s - Error soliciting websocket connection: %s", ctx.channel().remoteAddress(), cause.getMessage());
            ctx.close();
        }
    }
}
