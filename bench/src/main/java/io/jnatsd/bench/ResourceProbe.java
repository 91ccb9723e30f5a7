package io.jnatsd.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures what a server costs in memory, through raw protocol sockets (a full client per
 * connection would cost the probe more than the server):
 *
 * <pre>
 * ResourceProbe connections   HOST PORT SERVER_PID COUNT   10,000 idle connections: RSS before and after
 * ResourceProbe subscriptions HOST PORT SERVER_PID COUNT   COUNT SUBs on one connection: time and RSS
 * </pre>
 *
 * Each connection sends CONNECT and PING and waits for PONG, so the server has fully set it up.
 * RSS is VmRSS from /proc/PID/status, read after the server had a moment to settle. Prints one
 * JSON line. The caller must allow enough open files ({@code ulimit -n}).
 */
public final class ResourceProbe {
    private static final byte[] CONNECT =
            "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"probe\"}\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long SETTLE_MS = 1500;

    private ResourceProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: ResourceProbe connections|subscriptions HOST PORT SERVER_PID COUNT");
            System.exit(2);
        }
        InetSocketAddress addr = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        long pid = Long.parseLong(args[3]);
        int count = Integer.parseInt(args[4]);
        String json = switch (args[0]) {
            case "connections" -> idleConnections(addr, pid, count, SETTLE_MS);
            case "subscriptions" -> subscriptions(addr, pid, count, SETTLE_MS);
            default -> throw new IllegalArgumentException("unknown probe " + args[0]);
        };
        System.out.println(json);
    }

    static String idleConnections(InetSocketAddress addr, long pid, int count, long settleMs) throws Exception {
        long before = rssKb(pid);
        List<SocketChannel> open = new ArrayList<>(count);
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                SocketChannel ch = SocketChannel.open(addr);
                open.add(ch);
                ch.write(ByteBuffer.wrap(CONNECT));
                awaitPong(ch);
            }
            long openNanos = System.nanoTime() - t0;
            Thread.sleep(settleMs);
            long after = rssKb(pid);
            return String.format(Locale.ROOT,
                    "{\"probe\":\"connections\",\"count\":%d,\"open_ms\":%.1f,\"rss_before_kb\":%d,\"rss_after_kb\":%d,"
                            + "\"rss_per_conn_kb\":%.2f}",
                    count, openNanos / 1e6, before, after, (after - before) / (double) count);
        } finally {
            for (SocketChannel ch : open) ch.close();
        }
    }

    static String subscriptions(InetSocketAddress addr, long pid, int count, long settleMs) throws Exception {
        long before = rssKb(pid);
        try (SocketChannel ch = SocketChannel.open(addr)) {
            ch.write(ByteBuffer.wrap(CONNECT));
            awaitPong(ch);
            ByteBuffer out = ByteBuffer.allocate(256 * 1024);
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                byte[] line = ("SUB probe.sub." + i + " " + (i + 1) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                if (out.remaining() < line.length) drain(ch, out);
                out.put(line);
            }
            out.put("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            drain(ch, out);
            awaitPong(ch);
            long nanos = System.nanoTime() - t0;
            Thread.sleep(settleMs);
            long after = rssKb(pid);
            return String.format(Locale.ROOT,
                    "{\"probe\":\"subscriptions\",\"count\":%d,\"subscribe_ms\":%.1f,\"rss_before_kb\":%d,"
                            + "\"rss_after_kb\":%d,\"bytes_per_sub\":%.1f}",
                    count, nanos / 1e6, before, after, (after - before) * 1024.0 / count);
        }
    }

    private static void drain(SocketChannel ch, ByteBuffer out) throws IOException {
        out.flip();
        while (out.hasRemaining()) ch.write(out);
        out.clear();
    }

    /** Reads until PONG (skipping INFO and any PING); fails on -ERR or a closed socket. */
    private static void awaitPong(SocketChannel ch) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(8192);
        StringBuilder seen = new StringBuilder();
        while (true) {
            in.clear();
            int n = ch.read(in);
            if (n < 0) throw new IOException("server closed the connection; got: " + seen);
            seen.append(new String(in.array(), 0, n, StandardCharsets.US_ASCII));
            if (seen.indexOf("-ERR") >= 0) throw new IOException("server refused: " + seen.toString().trim());
            if (seen.indexOf("PONG\r\n") >= 0) return;
            if (seen.length() > 64 * 1024) seen.delete(0, seen.length() - 16);
        }
    }

    /** VmRSS of a process in KiB, or -1 when it cannot be read. */
    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
