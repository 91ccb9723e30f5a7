package io.jnatsd.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Decides per connection whether TLS is used, for the two modes where the first bytes tell:
 * <ul>
 * <li>{@link Mode#TLS_FIRST_WITH_FALLBACK} ({@code handshake_first: "300ms"}): the server waits
 * before sending INFO; a client that speaks first starts TLS at once, one that stays silent for
 * the delay gets INFO in plaintext and upgrades as usual. The connection's own handlers see
 * {@code channelActive} only once this is decided.</li>
 * <li>{@link Mode#MIXED} ({@code allow_non_tls}): INFO goes out in plaintext; a first byte of
 * 0x16 (a TLS handshake record) starts TLS, anything else stays plaintext.</li>
 * </ul>
 * Either way this handler then leaves the pipeline.
 */
final class TlsSniffer extends ChannelInboundHandlerAdapter {
    enum Mode { TLS_FIRST_WITH_FALLBACK, MIXED }

    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    private final ServerTls tls;
    private final Mode mode;
    private final long delayNanos;
    private ScheduledFuture<?> timer;
    private boolean decided;

    TlsSniffer(ServerTls tls, Mode mode, long delayNanos) {
        this.tls = tls;
        this.mode = mode;
        this.delayNanos = delayNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (mode == Mode.MIXED) {
            ctx.fireChannelActive(); // INFO first, in plaintext
            return;
        }
        timer = ctx.executor().schedule(() -> {
            if (decided || !ctx.channel().isActive()) return;
            decided = true;
            // Silent client: INFO in plaintext, then the client starts TLS.
            ChannelPipeline p = ctx.pipeline();
            p.remove(this);
            p.addFirst(ServerTls.HANDLER_NAME, tls.sslHandler(ctx.alloc(), true));
            p.fireChannelActive();
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) {
            ctx.fireChannelRead(msg);
            return;
        }
        decided = true;
        if (timer != null) timer.cancel(false);
        ChannelPipeline p = ctx.pipeline();
        p.remove(this);
        boolean startTls = mode == Mode.TLS_FIRST_WITH_FALLBACK
                || (msg instanceof ByteBuf b && b.isReadable() && b.getByte(b.readerIndex()) == TLS_HANDSHAKE_RECORD);
        if (startTls) {
            // In both modes the client has spoken first: the handshake comes before anything we write.
            p.addFirst(ServerTls.HANDLER_NAME, tls.sslHandler(ctx.alloc(), false));
        }
        if (mode == Mode.TLS_FIRST_WITH_FALLBACK) p.fireChannelActive();
        p.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) timer.cancel(false);
        // Before the decision the connection's handlers never saw it become active.
        if (decided || mode == Mode.MIXED) ctx.fireChannelInactive();
    }
}
