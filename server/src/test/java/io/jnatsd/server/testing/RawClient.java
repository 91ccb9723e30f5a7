package io.jnatsd.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A client on a plain socket, for exact protocol bytes and error texts. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String info;

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
        socket.setSoTimeout(5000);
        info = readLine();
    }

    /** The INFO line the server greeted with, without CRLF. */
    public String info() {
        return info;
    }

    public RawClient send(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    public RawClient send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
        return this;
    }

    /** Sends a CONNECT that turns verbose and pedantic off, plus any extra JSON fields. */
    public RawClient connect(String extraFields) throws IOException {
        String extra = extraFields == null || extraFields.isEmpty() ? "" : "," + extraFields;
        return send("CONNECT {\"verbose\":false,\"pedantic\":false" + extra + "}\r\n");
    }

    /** One line without its CRLF; null when the server closed the connection. */
    public String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    private String readLineOrNullOnReset() throws IOException {
        try {
            return readLine();
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    /** Reads exactly n bytes. */
    public byte[] readBytes(int n) throws IOException {
        return in.readNBytes(n);
    }

    /**
     * Sends PING and collects every line until the PONG: what the server said in reply to
     * everything sent before. Returns the lines joined by "\n" (PONG excluded), or the lines
     * and "<closed>" when the server hung up.
     */
    public String untilPong() throws IOException {
        return untilPong("");
    }

    /**
     * Sends {@code input} and PING in one write, so a server that closes on the input has read
     * everything (a clean FIN rather than a reset that could discard its -ERR), then collects
     * the reply as {@link #untilPong()} does.
     */
    public String untilPong(String input) throws IOException {
        send(input + "PING\r\n");
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = readLineOrNullOnReset()) != null) {
            if (line.equals("PONG")) return sb.toString();
            if (sb.length() > 0) sb.append('\n');
            sb.append(line);
        }
        if (sb.length() > 0) sb.append('\n');
        return sb.append("<closed>").toString();
    }

    /**
     * What the server sends without being asked (server PINGs left out) until it closes the
     * connection or {@code millis} pass: the lines joined by "\n", then {@code <closed>} or {@code <open>}.
     */
    public String linesUntilClosed(int millis) throws IOException {
        socket.setSoTimeout(millis);
        StringBuilder sb = new StringBuilder();
        try {
            String line;
            while ((line = readLineOrNullOnReset()) != null) {
                if (line.equals("PING")) continue;
                sb.append(line).append('\n');
            }
            return sb.append("<closed>").toString();
        } catch (SocketTimeoutException e) {
            return sb.append("<open>").toString();
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    /** True when the server closes the connection within the timeout (any bytes before are skipped). */
    public boolean closedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            while (in.read() != -1) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
