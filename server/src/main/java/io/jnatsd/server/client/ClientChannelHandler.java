package io.jnatsd.server.client;

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
 * Netty glue for one client socket: keeps the unread tail of the input (a frame split across
 * reads) and hands the bytes to the connection; a read burst ends with one flush.
 */
public final class ClientChannelHandler extends ChannelInboundHandlerAdapter {
    private final ClientConnection client;
    private ByteBuf cumulation;

    public ClientChannelHandler(ClientConnection client) {
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
        if (cumulation == null) {
            cumulation = in;
        } else {
            cumulation = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        }
        parseCumulation();
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
        } else if (cumulation.readerIndex() > 0 && cumulation.refCnt() == 1) {
            cumulation.discardSomeReadBytes();
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
        if (!(cause instanceof IOException) && !isTlsFailure(cause)) {
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
