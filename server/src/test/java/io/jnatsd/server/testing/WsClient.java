package io.jnatsd.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket client written out by hand, for what the official clients never do: bad origins, silence,
 * garbage, unmasked or split frames, permessage-deflate. {@link #upgrade} sends the HTTP request and reads the
 * response; frames are then sent and read one by one ({@link #send}, {@link #readFrame}), or as the NATS text
 * they carry ({@link #sendNats}, {@link #readNatsUntil}), compressed frames inflated.
 */
public final class WsClient implements AutoCloseable {
    public static final int CONTINUATION = 0;
    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CLOSE = 8;
    public static final int PING = 9;
    public static final int PONG = 10;

    /** One frame as read. */
    public record Frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** A Close frame's status code, or -1 without one. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String body = "";
    private final Inflater inflater = new Inflater(true);
    private final StringBuilder nats = new StringBuilder();

    private WsClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(5000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A TCP connection to the WebSocket port, nothing sent yet. */
    public static WsClient open(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setTcpNoDelay(true);
        return new WsClient(s);
    }

    /** A TLS connection (the handshake done) to the WebSocket port. */
    public static WsClient openTls(int port, SSLContext ctx) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        s.startHandshake();
        return new WsClient(s);
    }

    /** Sends the upgrade request for {@code /} with {@code extraHeaders} (each "Name: value\r\n") and reads the answer. */
    public WsClient upgrade(String extraHeaders) throws IOException {
        return request("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + socket.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key() + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n");
    }

    /** Sends {@code request} as is and reads the HTTP answer (status, headers, and a body of Content-Length bytes). */
    public WsClient request(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String statusLine = line();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        String len = headers.get("content-length");
        if (len != null && status != 101) {
            byte[] b = new byte[Integer.parseInt(len)];
            in.readFully(b);
            body = new String(b, StandardCharsets.UTF_8);
        }
        return this;
    }

    private static String key() {
        byte[] k = new byte[16];
        ThreadLocalRandom.current().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    /** The accept key a server must answer {@code key} with. */
    public static String acceptFor(String key) throws Exception {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(sha1.digest());
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') b.write(c);
        }
        if (c == -1 && b.size() == 0) throw new EOFException("connection closed");
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    public int status() {
        return status;
    }

    /** A response header (name in any case), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String body() {
        return body;
    }

    /** Sends one frame, masked unless {@code masked} is false. */
    public WsClient send(int opcode, byte[] payload, boolean fin, boolean masked, boolean rsv1) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(maskBit | 127);
            long l = payload.length;
            for (int i = 7; i >= 0; i--) f.write((int) (l >>> (8 * i)));
        }
        byte[] data = payload;
        if (masked) {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            f.write(mask, 0, 4);
            data = payload.clone();
            for (int i = 0; i < data.length; i++) data[i] ^= mask[i & 3];
        }
        f.write(data, 0, data.length);
        out.write(f.toByteArray());
        out.flush();
        return this;
    }

    /** NATS text in one masked binary frame. */
    public WsClient sendNats(String text) throws IOException {
        return send(BINARY, text.getBytes(StandardCharsets.UTF_8), true, true, false);
    }

    /** NATS text in one compressed (permessage-deflate, no context takeover) masked binary frame. */
    public WsClient sendNatsCompressed(String text) throws IOException {
        return send(BINARY, deflate(text.getBytes(StandardCharsets.UTF_8)), true, true, true);
    }

    /** Raw bytes on the socket, after the upgrade (garbage). */
    public WsClient sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** RFC 7692: deflate, sync flush, and the final 00 00 ff ff taken off. */
    public static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) o.write(buf, 0, n);
        d.end();
        byte[] all = o.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4);
    }

    /** Reads one frame (a fragmented message's frames one by one). */
    public Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) len = in.readUnsignedShort();
        else if (len == 127) len = in.readLong();
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            in.readFully(mask);
        }
        byte[] p = new byte[(int) len];
        in.readFully(p);
        if (mask != null) for (int i = 0; i < p.length; i++) p[i] ^= mask[i & 3];
        return new Frame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0f, p);
    }

    /**
     * Reads data frames, inflating compressed ones, until the NATS text received so far contains {@code marker};
     * returns that text and forgets it. Pings are answered; a Close frame ends the reading with an exception.
     */
    public String readNatsUntil(String marker) throws IOException {
        while (nats.indexOf(marker) < 0) {
            Frame f = readFrame();
            switch (f.opcode()) {
                case BINARY, TEXT, CONTINUATION -> nats.append(new String(f.rsv1() ? inflate(f.payload()) : f.payload(),
                        StandardCharsets.UTF_8));
                case PING -> send(PONG, f.payload(), true, true, false);
                case CLOSE -> throw new EOFException("closed by the server: " + f.closeCode() + " " + f.closeReason()
                        + " after: " + nats);
                default -> { }
            }
        }
        String s = nats.toString();
        nats.setLength(0);
        return s;
    }

    /** The whole message of a compressed frame, without context takeover (a fresh dictionary each time). */
    private byte[] inflate(byte[] data) throws IOException {
        inflater.reset();
        byte[] tail = {0x00, 0x00, (byte) 0xff, (byte) 0xff};
        byte[] in = java.util.Arrays.copyOf(data, data.length + 4);
        System.arraycopy(tail, 0, in, data.length, 4);
        inflater.setInput(in);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = inflater.inflate(buf)) > 0) o.write(buf, 0, n);
        } catch (DataFormatException e) {
            throw new IOException(e);
        }
        return o.toByteArray();
    }

    /**
     * Whether the server closes the connection within {@code millis} (reading and dropping whatever comes first,
     * a Close frame included). Returns the Close frame's status, 0 when closed without one, -2 when still open.
     */
    public int closedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        int code = 0;
        long deadline = System.nanoTime() + millis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                Frame f = readFrame();
                if (f.opcode() == CLOSE) code = f.closeCode();
            }
            return -2;
        } catch (EOFException e) {
            return code;
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (IOException e) {
            return code; // reset
        }
    }

    /** Whether the server closed without a Close frame (for a connection still in its HTTP phase). */
    public boolean eofWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            InputStream s = socket.getInputStream();
            while (s.read() != -1) {
                // drop
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        socket.close();
    }
}
