package io.jnatsd.server.conn;

/**
 * Whether a connection closed in the middle of its input leaves bytes unread in the socket, as
 * upstream's would. Upstream reads into a buffer of 512 bytes that doubles after a full read (to
 * 64 KiB) and halves after three short ones (to 64), and stops reading when the parser fails;
 * whatever the client sent beyond the read that held the error stays in the kernel, and closing
 * such a socket sends a reset (the client's next read fails with ECONNRESET and its next write
 * with EPIPE) rather than a FIN. Netty reads larger and earlier, so this replays upstream's
 * buffer sizes over the bytes each read brought: a client writing {@code PUB s 1001} and its
 * payload at once gets the reset, one writing a bad line and a PING the clean close.
 */
final class UnreadInput {
    private static final int START = 512;
    private static final int MIN = 64;
    private static final int MAX = 65536;
    private static final int SHORTS_TO_SHRINK = 2;

    private int size = START;
    private int shortReads;

    /** Accounts for a read of {@code n} bytes that was processed whole. */
    void read(int n) {
        while (n > 0) n -= upstreamRead(n);
    }

    /**
     * For a read of {@code n} bytes whose processing stopped at {@code stoppedAt}: whether
     * upstream would have had bytes of it left in the socket.
     */
    boolean leftUnread(int n, int stoppedAt) {
        int consumed = 0;
        while (consumed < n) {
            consumed += upstreamRead(n - consumed);
            // the byte that stopped the parser is the last one it took
            if (consumed >= stoppedAt) return consumed < n;
        }
        return false;
    }

    /** One read of upstream's with {@code available} bytes waiting: how many it takes, and its buffer's new size. */
    private int upstreamRead(int available) {
        int took = Math.min(available, size);
        if (took >= size) {
            shortReads = 0;
        } else if (took < size / 2) {
            shortReads++;
        }
        if (took >= size && size < MAX) {
            size *= 2;
        } else if (took < size && size > MIN && shortReads > SHORTS_TO_SHRINK) {
            size /= 2;
        }
        return took;
    }
}
