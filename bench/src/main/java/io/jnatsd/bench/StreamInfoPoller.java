package io.jnatsd.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a starting server for a stream's info over a raw protocol socket until the stream is
 * there with all its messages. A raw socket, not a client library, because the probe must
 * start asking within a millisecond of the server accepting, and keep asking while JetStream
 * is still recovering (no responders: a 503 status, asked again).
 */
final class StreamInfoPoller {
    private static final String CONNECT = "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,"
            + "\"no_responders\":true,\"name\":\"recovery-probe\"}\r\nSUB _INBOX.recovery 1\r\n";
    private static final Pattern MESSAGES = Pattern.compile("\"messages\":(\\d+)");
    /** Between attempts: short against the times measured, long enough to leave the cores to the server. */
    private static final long RETRY_NANOS = 2_000_000;

    private final InetSocketAddress address;
    private final String stream;

    StreamInfoPoller(InetSocketAddress address, String stream) {
        this.address = address;
        this.stream = stream;
    }

    /** When the server first accepted a connection and when the stream reported {@code count} messages (System.nanoTime). */
    record Times(long acceptedNanos, long readyNanos) {
    }

    /** Polls until the stream holds {@code count} messages; fails when {@code alive} says the server died or at the deadline. */
    Times await(long count, long deadlineNanos, java.util.function.BooleanSupplier alive) throws Exception {
        long accepted = 0;
        while (true) {
            check(deadlineNanos, alive);
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
                if (accepted == 0) accepted = System.nanoTime();
                s.setTcpNoDelay(true);
                s.setSoTimeout(1000);
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                out.write(CONNECT.getBytes(StandardCharsets.US_ASCII));
                while (true) {
                    check(deadlineNanos, alive);
                    String request = "PUB $JS.API.STREAM.INFO." + stream + " _INBOX.recovery 0\r\n\r\n";
                    out.write(request.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    long messages = readReply(in, out);
                    if (messages == count) return new Times(accepted, System.nanoTime());
                    pause();
                }
            } catch (IOException notYet) {
                // Not listening yet, or closed on us while starting: connect again.
                pause();
            }
        }
    }

    private static void check(long deadlineNanos, java.util.function.BooleanSupplier alive) {
        if (!alive.getAsBoolean()) throw new IllegalStateException("the server exited while starting");
        if (System.nanoTime() > deadlineNanos) throw new IllegalStateException("the stream did not come back in time");
    }

    private static void pause() {
        java.util.concurrent.locks.LockSupport.parkNanos(RETRY_NANOS);
    }

    /**
     * Reads protocol lines up to the reply: its message count, or -1 when the reply is not a
     * stream info with a state (no responders, stream not loaded yet) or it timed out.
     */
    private static long readReply(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String line;
            try {
                line = readLine(in);
            } catch (SocketTimeoutException e) {
                return -1;
            }
            if (line.startsWith("PING")) {
                out.write("PONG\r\n".getBytes(StandardCharsets.US_ASCII));
            } else if (line.startsWith("-ERR")) {
                throw new IOException("server refused: " + line);
            } else if (line.startsWith("MSG ") || line.startsWith("HMSG ")) {
                String[] f = line.split(" ");
                int total = Integer.parseInt(f[f.length - 1]);
                byte[] body = in.readNBytes(total + 2);
                if (line.startsWith("HMSG ")) return -1; // a status: 503 no responders
                Matcher m = MESSAGES.matcher(new String(body, StandardCharsets.UTF_8));
                return m.find() ? Long.parseLong(m.group(1)) : -1;
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') return line.toString(StandardCharsets.US_ASCII).trim();
            line.write(c);
        }
        throw new IOException("connection closed");
    }
}
