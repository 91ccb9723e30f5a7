package io.jnatsd.server.monitor;

import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.net.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP monitoring listener ({@code http_port}, {@code -m}): upstream's endpoints under
 * {@code http_base_path}, plus {@code /metrics}. It runs on one event loop of its own so that
 * building a large /connz never delays client traffic.
 */
public final class MonitorServer implements AutoCloseable {
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String HTML = "text/html; charset=utf-8";
    private static final int MAX_REQUEST_BYTES = 1 << 20;

    private final MonitoredServer server;
    private final Endpoints endpoints;
    private final ServerLog log;
    // Made when the listener starts: a server without monitoring pays nothing for it.
    private Metrics metrics;
    private final Map<String, Route> routes = new HashMap<>();
    private final String basePath;
    private EventLoopGroup group;
    private Channel listener;

    /** A response: status, content type and body. */
    private record Reply(int status, String contentType, byte[] body) {
    }

    @FunctionalInterface
    private interface Handler {
        Reply handle(Query q, FullHttpRequest request) throws Exception;
    }

    /** An endpoint: the name it is counted under in {@code http_req_stats}, and its handler. */
    private record Route(String stat, Handler handler) {
    }

    public MonitorServer(MonitoredServer server, Endpoints endpoints, ServerLog log) {
        this.server = server;
        this.endpoints = endpoints;
        this.log = log;
        this.basePath = normalizeBasePath(server.options().httpBasePath);
        route("/", (q, r) -> new Reply(200, HTML, IndexPage.render(basePath, server.version(), server.jnatsdVersion())));
        for (String e : new String[] {"varz", "connz", "routez", "gatewayz", "leafz", "subsz", "accountz", "accstatz", "jsz"}) {
            route("/" + e, (q, r) -> json(endpoints.build(e, q)));
        }
        route("/subscriptionsz", "/subsz", (q, r) -> json(endpoints.build("subsz", q)));
        route("/healthz", (q, r) -> {
            Unserved.Health h = Unserved.healthz(server, q);
            return new Reply(h.status(), JSON, Json.compact(h.body()));
        });
        route("/metrics", (q, r) -> {
            Metrics.Exposition e = metrics.scrape(r.headers().get(HttpHeaderNames.ACCEPT));
            return new Reply(200, e.contentType(), e.body());
        });
        // Not counted in http_req_stats: upstream has no such page, and its figures are the
        // endpoints' own, which the page's requests count as any client's would.
        Dashboard.FILES.forEach((path, file) ->
                route("/dashboard" + path, null, (q, r) -> new Reply(200, file[1], Dashboard.file(file[0]))));
    }

    /**
     * Binds the monitoring port, as upstream: {@code http_port} and {@code https_port} are
     * exclusive, -1 picks a free port, the host is {@code http: host:port}'s or the client host.
     */
    public void start(Transport transport) throws InterruptedException {
        ServerOptions o = server.options();
        if (o.httpPort != 0 && o.httpsPort != 0) {
            throw new MonitorException("can't specify both HTTP (" + o.httpPort + ") and HTTPs (" + o.httpsPort + ") ports", null);
        }
        if (o.httpPort == 0) {
            // jnatsd has no TLS yet; upstream refuses https_port without a TLS configuration.
            if (o.httpsPort != 0) throw new MonitorException("TLS cert and key required for HTTPS", null);
            return;
        }
        String host = Varz.httpHost(server);
        int port = o.httpPort == -1 ? 0 : o.httpPort;
        metrics = new Metrics(server, endpoints.proc());
        group = transport.newGroup(1);
        try {
            listener = transport.listen(group, host, port, 64 * 1024, ch -> ch.pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                    .addLast(new HttpHandler()));
        } catch (InterruptedException e) {
            closeGroup();
            throw e;
        } catch (Exception e) { // Netty rethrows the bind failure (a checked exception) undeclared
            closeGroup();
            throw new MonitorException("can't listen to the monitor port: listen tcp " + host + ":" + port + ": "
                    + bindError(e), e);
        }
        log.notice("Starting http monitor on %s:%d", host, port());
    }

    /** A bind failure in Go's words ({@code bind: address already in use}), from the JDK's or epoll's text. */
    private static String bindError(Exception e) {
        String m = String.valueOf(e.getMessage());
        int i = m.lastIndexOf("): ");
        if (i >= 0) m = m.substring(i + 3); // epoll: "bind(..) failed with error(-98): Address already in use"
        boolean bind = e instanceof java.net.BindException || String.valueOf(e.getMessage()).startsWith("bind");
        return (bind ? "bind: " : "") + m.toLowerCase(java.util.Locale.ROOT);
    }

    /** The bound monitoring port, 0 when monitoring is off. */
    public int port() {
        return listener == null ? 0 : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The base path endpoints are served under ({@code /} when none is set). */
    public String basePath() {
        return basePath;
    }

    @Override
    public void close() {
        if (listener != null) listener.close().syncUninterruptibly();
        closeGroup();
    }

    private void closeGroup() {
        if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        group = null;
    }

    /**
     * Upstream's base path: a leading slash added, then cleaned as Go's {@code path.Clean} does
     * (no empty, {@code .} or {@code ..} segments, no trailing slash); {@code /} when none is set.
     */
    static String normalizeBasePath(String p) {
        if (p == null || p.isEmpty()) return "/";
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) parts.pollLast();
            else parts.addLast(seg);
        }
        return "/" + String.join("/", parts);
    }

    private void route(String path, Handler h) {
        route(path, path, h);
    }

    private void route(String path, String stat, Handler h) {
        String full = basePath.equals("/") ? path : (path.equals("/") ? basePath : basePath + path);
        routes.put(full, new Route(stat, h));
    }

    private static Reply json(Map<String, Object> body) {
        return new Reply(200, JSON, Json.indented(body));
    }

    private Reply serve(FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) return new Reply(400, TEXT, "400 Bad Request".getBytes(StandardCharsets.UTF_8));
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        Route route = routes.get(uri.path());
        if (route == null) return new Reply(404, TEXT, "404 page not found\n".getBytes(StandardCharsets.UTF_8));
        if (route.stat() != null) endpoints.countHttpRequest(route.stat());
        try {
            return route.handler().handle(new Query(uri.parameters()), req);
        } catch (Query.BadRequest e) {
            return new Reply(400, TEXT, e.getMessage().getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            log.error("Error serving %s: %s", uri.path(), e);
            return new Reply(500, TEXT, String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
    }

    private final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Reply reply = serve(req);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
            if (JSON.equals(reply.contentType())) resp.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            if (reply.status() == 404) resp.headers().set("X-Content-Type-Options", "nosniff");
            resp.headers().set(HttpHeaderNames.DATE, DateFormatter.format(new java.util.Date()));
            HttpUtil.setContentLength(resp, reply.body().length);
            boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
            if (keepAlive) {
                if (!req.protocolVersion().isKeepAliveDefault()) {
                    resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.writeAndFlush(resp);
            } else {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
