package io.jnatsd.server.conn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Upstream's read sizes replayed: 512 bytes at first (the sizes where upstream 2.9.10 was seen
 * to close with a FIN or a reset: a bad line after CONNECT followed by 400 bytes, or by 600).
 */
class UnreadInputTest {
    @Test
    void aFirstReadTakesFiveHundredTwelveBytes() {
        assertFalse(new UnreadInput().leftUnread(417, 44), "417 bytes: all read at once");
        assertTrue(new UnreadInput().leftUnread(617, 44), "617 bytes: 105 left in the socket");
        assertFalse(new UnreadInput().leftUnread(617, 600), "stopped in the second read, which took the rest");
    }

    @Test
    void theBufferGrowsAfterFullReadsAndShrinksAfterShortOnes() {
        UnreadInput grown = new UnreadInput();
        grown.read(512 + 1024); // two full reads: the buffer is 2048 now
        assertFalse(grown.leftUnread(2000, 10));
        assertTrue(grown.leftUnread(2100, 10));

        UnreadInput shrunk = new UnreadInput();
        for (int i = 0; i < 3; i++) shrunk.read(10); // three short reads: 256
        assertTrue(shrunk.leftUnread(300, 10));
    }
}
