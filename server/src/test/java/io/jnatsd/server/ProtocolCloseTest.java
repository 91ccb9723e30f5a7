package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.ServerPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How a connection closed for bad input ends, as the client sees it: upstream stops reading at
 * the error, so when the client had sent more than upstream's read took, the close is a reset
 * (the next read fails with "Connection reset"); a short bad input is read whole and ends with a
 * clean end of stream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolCloseTest {
    private static final String CONNECT = "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
    private ServerPair servers;

    @BeforeAll
    void start() throws Exception {
        servers = ServerPair.start("max_payload: 1000");
    }

    @AfterAll
    void stop() throws Exception {
        servers.close();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aPayloadOverTheLimitSentWithItsLineEndsInAReset(Impl impl) throws Exception {
        try (Socket s = connect(impl)) {
            send(s, CONNECT + "PUB s 1001\r\n" + "x".repeat(1001) + "\r\n");
            assertEquals("-ERR 'Maximum Payload Violation'", line(s.getInputStream()));
            assertThrows(SocketException.class, () -> s.getInputStream().read());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aBadOperationFollowedByMoreThanUpstreamReadsEndsInAReset(Impl impl) throws Exception {
        try (Socket s = connect(impl)) {
            send(s, CONNECT + "FOO\r\n" + "PING\r\n".repeat(100));
            assertEquals("-ERR 'Unknown Protocol Operation'", line(s.getInputStream()));
            assertThrows(SocketException.class, () -> s.getInputStream().read());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aShortBadInputEndsCleanly(Impl impl) throws Exception {
        try (Socket s = connect(impl)) {
            send(s, CONNECT + "FOO\r\nPING\r\n");
            assertEquals("-ERR 'Unknown Protocol Operation'", line(s.getInputStream()));
            assertEquals(-1, s.getInputStream().read(), "end of stream");
        }
    }

    private Socket connect(Impl impl) throws IOException {
        Socket s = new Socket("127.0.0.1", servers.get(impl).port());
        s.setSoTimeout(5000);
        line(s.getInputStream()); // INFO
        return s;
    }

    /** All of it in one write, as a client's buffered writer sends it. */
    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') b.write(c);
        return b.toString(StandardCharsets.UTF_8).stripTrailing();
    }
}
