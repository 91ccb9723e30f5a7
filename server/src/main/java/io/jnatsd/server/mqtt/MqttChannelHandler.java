package io.jnatsd.server.mqtt;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;

/** Netty glue of one MQTT socket: decoded packets, the keep-alive deadline and the close go to the connection. */
final class MqttChannelHandler extends ChannelInboundHandlerAdapter {
    private final MqttConnection connection;

    MqttChannelHandler(MqttConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection.active();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.received(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) connection.keepAliveExpired();
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.inactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.close(cause instanceof IOException ? "Read Error" : "Protocol Violation");
        ctx.close();
    }
}
