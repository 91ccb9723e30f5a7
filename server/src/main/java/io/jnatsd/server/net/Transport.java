package io.jnatsd.server.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The event loops and listening sockets: native epoll where available, NIO elsewhere.
 * One loop per core serves every connection; nothing here knows about NATS.
 */
public final class Transport implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    /**
     * Made by a constructor reference: Netty's class-based factory reflects, and the first
     * reflective construction spins method handles, ~10 ms of a start.
     */
    private final ChannelFactory<? extends ServerChannel> serverChannel;
    private final boolean nativeEpoll;
    private final IoHandlerFactory factory;

    public Transport(int workerThreads) {
        nativeEpoll = Epoll.isAvailable();
        factory = nativeEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        boss = new MultiThreadIoEventLoopGroup(1, factory);
        workers = new MultiThreadIoEventLoopGroup(workerThreads, factory);
        serverChannel = nativeEpoll ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    }

    /**
     * For the command: Netty logs through java.util.logging, where its own probe ends anyway (the
     * command's jar has neither SLF4J nor Log4j), without the probe's failing class lookups. An
     * embedding program keeps Netty's choice.
     */
    public static void logThroughJdkLogging() {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    }

    public boolean nativeEpoll() {
        return nativeEpoll;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    /**
     * A separate group of {@code threads} event loops of the same kind, for a service whose work
     * must not delay the client loops (monitoring); the caller shuts it down.
     */
    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    /**
     * Binds a listener; each accepted socket is handed to {@code init}. {@code highWaterMark}
     * is how many unwritten bytes make a socket "unwritable" (the start of a write deadline).
     */
    public Channel listen(String host, int port, int highWaterMark, Consumer<SocketChannel> init) throws InterruptedException {
        return listen(workers, host, port, highWaterMark, init);
    }

    /** As {@link #listen(String, int, int, Consumer)}, serving the accepted sockets on {@code children}. */
    public Channel listen(EventLoopGroup children, String host, int port, int highWaterMark,
                          Consumer<SocketChannel> init) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, children)
                .channelFactory(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(highWaterMark / 2, highWaterMark))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        init.accept(ch);
                    }
                });
        InetSocketAddress addr = host == null || host.isEmpty() || host.equals("0.0.0.0")
                ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        return b.bind(addr).sync().channel();
    }

    /**
     * Dials {@code host:port} from one of the worker loops (a solicited route); the socket is
     * handed to {@code init} before it connects. The future completes when the connection is
     * up or has failed.
     */
    public io.netty.channel.ChannelFuture connect(String host, int port, int highWaterMark, java.time.Duration timeout,
                                                  Consumer<SocketChannel> init) {
        io.netty.bootstrap.Bootstrap b = new io.netty.bootstrap.Bootstrap()
                .group(workers)
                .channelFactory(nativeEpoll ? io.netty.channel.epoll.EpollSocketChannel::new
                        : io.netty.channel.socket.nio.NioSocketChannel::new)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(highWaterMark / 2, highWaterMark))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        init.accept(ch);
                    }
                });
        return b.connect(host, port);
    }

    @Override
    public void close() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
