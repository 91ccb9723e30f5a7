package io.jnatsd.server.conn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import javax.net.ssl.SSLException;

/**
 * Netty glue for one socket of any connection kind: hands the bytes to the connection and
 * ends a read burst with one flush. Parses straight from each read buffer; only a frame split across two reads
 * is assembled, from the tail of the first and just the bytes of the second that finish it (as
 * the parser reports them), so bytes are not copied on the way in. While parsing is paused (a
 * slow credential check) reads are buffered and parsed on resume, in order.
 */
public final class ConnectionHandler extends ChannelDuplexHandler {
    private final Connection client;
    private ByteBuf cumulation;
    private final UnreadInput unread = new UnreadInput();
    /** The read being handed to the connection (null between reads), and how many bytes it brought. */
    private ByteBuf reading;
    private int readingSize;
    /** Bytes arrived after the connection stopped parsing (it is closing). */
    private boolean inputAfterStop;

    public ConnectionHandler(Connection client) {
        this.client = client;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client.onResumeReading(() -> resume(ctx));
        client.start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        int n = in.readableBytes();
        boolean wasParsing = client.parsing() || client.parserPaused();
        reading = in;
        readingSize = n;
        while (cumulation != null && in.isReadable() && client.parsing()) {
            int need = client.bytesToCompleteFrame(cumulation);
            int take;
            if (need > 0) {
                take = Math.min(need, in.readableBytes());
            } else {
                int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                take = lf < 0 ? in.readableBytes() : lf - in.readerIndex() + 1;
            }
            if (cumulation.readerIndex() > 0) cumulation.discardReadBytes();
            cumulation.writeBytes(in, take);
            parseCumulation();
        }
        if (cumulation != null) {
            if (in.isReadable() && client.parserPaused()) {
                kept(n);
                cumulation = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
            } else {
                done(ctx, in, n, wasParsing);
            }
            return;
        }
        if (!in.isReadable() || !client.parsing()) {
            done(ctx, in, n, wasParsing);
            return;
        }
        client.read(in);
        if (in.isReadable() && (client.parsing() || client.parserPaused())) {
            kept(n);
            cumulation = in; // a split frame's tail
        } else {
            done(ctx, in, n, wasParsing);
        }
    }

    /** A read of {@code n} bytes whose rest is kept for later parsing. */
    private void kept(int n) {
        reading = null;
        unread.read(n);
    }

    /**
     * Releases a read of {@code n} bytes. When the connection stopped parsing (it is closing)
     * with some of them unprocessed, or received them after it stopped, and upstream would have
     * left them in the socket, the close becomes a reset ({@link UnreadInput}).
     */
    private void done(ChannelHandlerContext ctx, ByteBuf in, int n, boolean wasParsing) {
        reading = null;
        if (!stopped()) {
            unread.read(n);
        } else if (!wasParsing && in.isReadable()) {
            inputAfterStop = true;
        }
        in.release();
    }

    private boolean stopped() {
        return !client.parsing() && !client.parserPaused();
    }

    /**
     * A close, usually from inside the read whose input made the connection give up: reset
     * rather than FIN when upstream would leave input unread, i.e. when the read still holds
     * input past what upstream's read would have taken, or input came after parsing stopped.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ByteBuf in = reading;
        boolean reset = inputAfterStop;
        if (in != null && in.isReadable() && stopped()) {
            reset |= unread.leftUnread(readingSize, readingSize - in.readableBytes());
        }
        if (reset) ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.close(promise);
    }

    /** Parsing was paused (a slow credential check) and may go on: parse what is buffered, then flush. */
    private void resume(ChannelHandlerContext ctx) {
        if (cumulation != null) parseCumulation();
        client.readComplete();
    }

    private void parseCumulation() {
        client.read(cumulation);
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = null;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        client.readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        client.timers().writabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            client.tlsHandshakeCompleted(e.isSuccess() ? null : e.cause());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        client.channelClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException io) {
            client.socketFailed(io);
        } else if (!isTlsFailure(cause)) {
            client.logUnexpected(cause);
        }
        ctx.close();
    }

    /** TLS errors are logged once, from the handshake event (or are a peer's garbage after it). */
    private static boolean isTlsFailure(Throwable cause) {
        return cause instanceof SSLException || cause instanceof NotSslRecordException
                || (cause instanceof DecoderException && cause.getCause() instanceof SSLException);
    }
}
