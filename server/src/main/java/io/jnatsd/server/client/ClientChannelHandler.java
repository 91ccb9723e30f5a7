package io.jnatsd.server.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;

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
        client.start();
        ctx.fireChannelActive();
    }

    /**
     * Parses straight from each read buffer. Only a frame split across two reads is
     * assembled, from the tail of the first and just the bytes of the second that finish it
     * (as the parser reports them), so bytes are not copied on the way in.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        while (cumulation != null && in.isReadable() && !client.parserStopped()) {
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
            client.read(cumulation);
            if (!cumulation.isReadable()) {
                cumulation.release();
                cumulation = null;
            }
        }
        if (cumulation != null || !in.isReadable() || client.parserStopped()) {
            in.release();
            return;
        }
        client.read(in);
        if (in.isReadable() && !client.parserStopped()) cumulation = in; // the tail of a split frame
        else in.release();
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
        } else {
            client.logUnexpected(cause);
        }
        ctx.close();
    }
}
