package io.jnatsd.server.websocket;

import io.jnatsd.server.log.ServerLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The WebSocket connection as a byte stream, between Netty's frame codec and the connection's own handler (which
 * is not told it speaks over WebSocket). Inbound, the payload of every data frame (binary, text or continuation,
 * already unmasked and inflated) goes on as a ByteBuf, as a socket read would; pings are answered with pongs; a
 * Close frame is echoed and the connection closed. Outbound, each ByteBuf written becomes one binary frame (4 KiB
 * frames for browsers, as upstream); closing the channel first sends a Close frame whose status tells why.
 * A malformed frame (unmasked, unknown opcode, too long, bad deflate data) closes the connection with a protocol
 * error, passed on as a read error.
 */
final class WebSocketFrames extends ChannelDuplexHandler {
    /** Upstream's wsFrameSizeForBrowsers: browsers behave better with small frames. */
    static final int BROWSER_FRAME_SIZE = 4096;

    private final ServerLog log;
    /** Largest frame written; 0 for no limit. */
    private final int maxFrameSize;
    private volatile Supplier<CloseStatus> closeStatus = () -> new CloseStatus(CloseStatus.NORMAL_CLOSURE, "");
    /** One Close frame per connection: the client's echo, a protocol error's or the one sent when closing. */
    private boolean closeSent;

    WebSocketFrames(ServerLog log, boolean browser) {
        this.log = log;
        this.maxFrameSize = browser ? BROWSER_FRAME_SIZE : 0;
    }

    /** What decides the status of the Close frame sent when the connection closes. */
    void closeStatus(Supplier<CloseStatus> status) {
        if (status != null) closeStatus = status;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame
                || msg instanceof ContinuationWebSocketFrame) {
            // Text is taken as bytes, as upstream does: NATS is not required to be UTF-8.
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
        } else if (msg instanceof PingWebSocketFrame ping) {
            if (closeSent) {
                ping.release();
            } else {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
            }
        } else if (msg instanceof CloseWebSocketFrame close) {
            if (closeSent) {
                close.release();
                return;
            }
            // Echo the status and reason, as upstream does (an empty close is answered with an empty one),
            // then close as the client asked.
            closeSent = true;
            ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, close.content())).addListener(ChannelFutureListener.CLOSE);
        } else {
            ReferenceCountUtil.release(msg); // pongs, and anything else
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf b) || !b.isReadable()) {
            // An empty buffer is how a connection waits for its writes before closing: let it through as is.
            ctx.write(msg, promise);
            return;
        }
        int n = b.readableBytes();
        if (maxFrameSize == 0 || n <= maxFrameSize) {
            ctx.write(new BinaryWebSocketFrame(b), promise);
            return;
        }
        int from = b.readerIndex();
        int end = from + n;
        for (int at = from; at < end; at += maxFrameSize) {
            int len = Math.min(maxFrameSize, end - at);
            BinaryWebSocketFrame f = new BinaryWebSocketFrame(b.retainedSlice(at, len));
            ctx.write(f, at + len == end ? promise : ctx.voidPromise());
        }
        b.release();
    }

    /** Before the socket closes, a Close frame says why (unless one was sent already). */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!closeSent && ctx.channel().isActive()) {
            closeSent = true;
            CloseStatus s;
            try {
                s = closeStatus.get();
            } catch (RuntimeException e) {
                s = new CloseStatus(CloseStatus.INTERNAL_ERROR, "");
            }
            ctx.writeAndFlush(closeFrame(ctx, s), ctx.voidPromise());
        }
        ctx.close(promise);
    }

    /** Built by hand: Netty refuses to make frames with the statuses upstream sends but RFC 6455 reserves (1006, 1015). */
    private static CloseWebSocketFrame closeFrame(ChannelHandlerContext ctx, CloseStatus s) {
        byte[] reason = s.wireReason().getBytes(StandardCharsets.UTF_8);
        ByteBuf body = ctx.alloc().buffer(2 + reason.length);
        body.writeShort(s.code());
        body.writeBytes(reason);
        return new CloseWebSocketFrame(true, 0, body);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof DecoderException bad)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        // A malformed frame: tell the client (as upstream, with the protocol error's text), then fail the
        // connection as a read error would.
        int code = bad instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
                ? c.closeStatus().code() : CloseStatus.PROTOCOL_ERROR;
        String why = bad.getMessage() == null ? bad.toString() : bad.getMessage();
        log.debug("%s - websocket protocol error: %s", ctx.channel().remoteAddress(), why);
        if (!closeSent && ctx.channel().isActive()) {
            closeSent = true;
            ctx.writeAndFlush(closeFrame(ctx, new CloseStatus(code, why)), ctx.voidPromise());
        }
        ctx.fireExceptionCaught(new IOException("websocket: " + why, bad));
    }
}
