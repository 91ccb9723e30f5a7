package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A conversation written in two socket writes, split at every byte: the replies never change. */
class FrameSplitTest {
    private static final String INPUT = "CONNECT {\"verbose\":true,\"pedantic\":false,\"headers\":true}\r\n"
            + "SUB a.* 1\r\nSUB a.b QUEUE 2\r\n"
            + "PUB a.b r 5\r\nhello\r\n"
            + "HPUB a.c 18 20\r\nNATS/1.0\r\nK: v\r\n\r\nhi\r\n"
            + "UNSUB 1\r\nPUB a.x 1\r\nz\r\n";
    private static final String EXPECTED = String.join("\n",
            "+OK", "+OK", "+OK",
            "+OK", "MSG a.b 1 r 5", "hello", "MSG a.b 2 r 5", "hello",
            "+OK", "HMSG a.c 1 18 20", "NATS/1.0", "K: v", "", "hi",
            "+OK", "+OK");

    @ParameterizedTest
    @EnumSource(Impl.class)
    void everySplitGivesTheSameReplies(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl)) {
            for (int cut = 1; cut < INPUT.length(); cut++) {
                // A queue group of its own per connection: a previous connection that is still
                // closing must not be picked as the group's member.
                byte[] bytes = INPUT.replace("QUEUE", String.format("q%04d", cut)).getBytes(StandardCharsets.UTF_8);
                try (RawClient c = s.raw()) {
                    c.send(java.util.Arrays.copyOfRange(bytes, 0, cut));
                    c.send(java.util.Arrays.copyOfRange(bytes, cut, bytes.length));
                    assertEquals(EXPECTED, c.untilPong(), "split at byte " + cut);
                }
            }
        }
    }
}
