package io.jnatsd.server.websocket;

import io.jnatsd.server.net.ServerTls;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The HTTP side of one WebSocket socket, until it is upgraded: checks the request as upstream's wsUpgrade does (in
 * its order, with its status codes: 405 for a method other than GET, 400 for a missing Host, Upgrade, Connection,
 * key or version 13, 403 for an origin refused), answers 101 through Netty's handshaker, and then replaces itself
 * with {@link WebSocketFrames} and hands the channel to the connection kind. Upstream serves clients on any path.
 * The handshake timeout, when configured, counts from the accepted socket (TLS included) to the upgrade.
 */
final class WebSocketUpgrade extends ChannelInboundHandlerAdapter {
    static final String NO_MASKING_HEADER = "Nats-No-Masking";

    private final WebSocketTransport transport;
    private ScheduledFuture<?> timeout;
    private boolean upgrading;
    /** Frames that arrived before the pipeline was switched over (the client did not wait for the 101). */
    private List<Object> early;

    WebSocketUpgrade(WebSocketTransport transport) {
        this.transport = transport;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long nanos = transport.handshakeTimeoutNanos();
        if (nanos > 0) {
            timeout = ctx.executor().schedule(() -> {
                transport.log().debug("%s - websocket handshake timeout", remote(ctx));
                ctx.close();
            }, nanos, TimeUnit.NANOSECONDS);
        }
        // The connection's own handler is not there yet: it is told the channel is active once upgraded.
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (early != null) {
            early.forEach(ReferenceCountUtil::release);
            early = null;
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (!e.isSuccess()) {
                Throwable cause = e.cause() instanceof io.netty.handler.codec.DecoderException && e.cause().getCause() != null
                        ? e.cause().getCause() : e.cause();
                transport.log().error("websocket: http: TLS handshake error from %s: %s", remote(ctx),
                        cause.getMessage() == null ? cause.toString() : cause.getMessage());
                ctx.close();
                return;
            }
            ServerTls tls = transport.tls();
            if (tls != null && !tls.pinnedCertificateOk(ctx.channel())) {
                transport.log().error("websocket: http: TLS handshake error from %s: certificate not pinned", remote(ctx));
                ctx.close();
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest req) {
            try {
                if (!upgrading) handle(ctx, req);
            } finally {
                req.release();
            }
        } else if (msg instanceof WebSocketFrame && upgrading) {
            if (early == null) early = new ArrayList<>();
            early.add(msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "invalid request: " + req.decoderResult().cause());
            return;
        }
        HttpHeaders h = req.headers();
        if (!HttpMethod.GET.equals(req.method())) {
            refuse(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "request method must be GET");
            return;
        }
        String host = h.get("Host");
        if (host == null || host.isEmpty()) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "'Host' missing in request");
            return;
        }
        if (!headerContains(h, "Upgrade", "websocket")) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "invalid value for header 'Upgrade'");
            return;
        }
        if (!headerContains(h, "Connection", "Upgrade")) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "invalid value for header 'Connection'");
            return;
        }
        String key = h.get("Sec-WebSocket-Key");
        if (key == null || key.isEmpty()) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "key missing");
            return;
        }
        if (!headerContains(h, "Sec-WebSocket-Version", "13")) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "invalid version");
            return;
        }
        String origin = h.get("Origin");
        if (origin == null || origin.isEmpty()) origin = h.get("Sec-WebSocket-Origin");
        boolean tls = ctx.pipeline().get(SslHandler.class) != null;
        String refused = transport.origins().check(origin, host, tls);
        if (refused != null) {
            refuse(ctx, HttpResponseStatus.FORBIDDEN, "origin not allowed: " + refused);
            return;
        }
        boolean noMasking = "true".equals(h.get(NO_MASKING_HEADER));
        String ua = h.get("User-Agent");
        boolean browser = ua != null && ua.startsWith("Mozilla/");
        Handshake handshake = new Handshake(path(req.uri()), cookie(h, transport.jwtCookie()), browser, noMasking);

        WebSocketDecoderConfig frames = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(transport.maxFramePayload())
                .expectMaskedFrames(!noMasking)
                .allowMaskMismatch(false)
                .allowExtensions(transport.compression())
                .closeOnProtocolViolation(false) // WebSocketFrames sends the close frame, once
                .withUTF8Validator(false)        // text frames are bytes to NATS, as upstream reads them
                .build();
        String url = (tls ? "wss://" : "ws://") + host + req.uri();
        HttpHeaders extra = new DefaultHttpHeaders();
        if (noMasking) extra.set(NO_MASKING_HEADER, "true");
        // As upstream: the MQTT endpoint always names the subprotocol MQTT clients over WebSocket ask for.
        if (handshake.mqtt()) extra.set("Sec-WebSocket-Protocol", "mqtt");
        upgrading = true;
        new WebSocketServerHandshaker13(url, null, frames)
                .handshake(ctx.channel(), req, extra, ctx.channel().newPromise())
                .addListener(f -> {
                    if (f.isSuccess()) {
                        upgraded(ctx, handshake);
                    } else {
                        transport.log().error("%s - websocket handshake error: %s", remote(ctx), f.cause());
                        ctx.close();
                    }
                });
    }

    /** The 101 is out and the pipeline speaks frames: the connection takes over. */
    private void upgraded(ChannelHandlerContext ctx, Handshake handshake) {
        cancelTimeout();
        if (!ctx.channel().isActive()) return;
        ChannelPipeline p = ctx.pipeline();
        WebSocketFrames frames = new WebSocketFrames(transport.log(), handshake.browser());
        p.replace(this, "ws-frames", frames);
        frames.closeStatus(transport.connector().connect((SocketChannel) ctx.channel(), handshake));
        ChannelHandlerContext fc = p.context(frames);
        fc.fireChannelActive();
        if (early != null) {
            List<Object> pending = early;
            early = null;
            for (Object m : pending) frames.channelRead(fc, m);
            fc.fireChannelReadComplete();
        }
    }

    /** Upstream's wsReturnHTTPError: the status text as the body, and the error logged. */
    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
        transport.log().error("%s - websocket handshake error: %s", remote(ctx), reason);
        byte[] body = (status.reasonPhrase() + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        resp.headers().set("Content-Type", "text/plain; charset=utf-8")
                .set("Sec-Websocket-Version", "13")
                .set("X-Content-Type-Options", "nosniff")
                .set("Content-Length", body.length)
                .set("Connection", "close");
        cancelTimeout();
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    /** Upstream's wsHeaderContains: some value of the header, split at commas, is the token (any case). */
    private static boolean headerContains(HttpHeaders h, String name, String token) {
        for (String v : h.getAll(name)) {
            for (String t : v.split(",")) {
                if (t.strip().equalsIgnoreCase(token)) return true;
            }
        }
        return false;
    }

    /** The first cookie of that name in the request (as Go's Request.Cookie), or null. */
    private static String cookie(HttpHeaders h, String name) {
        if (name == null || name.isEmpty()) return null;
        for (String header : h.getAll("Cookie")) {
            for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
                if (c.name().equals(name)) return c.value();
            }
        }
        return null;
    }

    private static String path(String uri) {
        int q = uri.indexOf('?');
        String p = q < 0 ? uri : uri.substring(0, q);
        return p.isEmpty() ? "/" : p;
    }

    private static String remote(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(ctx.channel().remoteAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof java.io.IOException) && !(cause instanceof SSLException)
                && !(cause.getCause() instanceof SSLException)) {
            transport.log().debug("%s - websocket handshake error: %s", remote(ctx), cause);
        }
        ctx.close();
    }
}
