package io.jnatsd.server.conn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final Connection client;
    private ByteBuf cumulation;

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
                cumulation = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
            } else {
                in.release();
            }
            return;
        }
        if (!in.isReadable() || !client.parsing()) {
            in.release();
            return;
        }
        client.read(in);
        if (in.isReadable() && (client.parsing() || client.parserPaused())) cumulation = in; // a split frame's tail
        else in.release();
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
