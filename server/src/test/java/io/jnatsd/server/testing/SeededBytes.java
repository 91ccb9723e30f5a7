package io.jnatsd.server.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * Large test data that is never held in memory: {@link #stream} generates the same bytes from
 * a seed every time, and {@link Sink} takes bytes only to count and digest them, so a test can
 * move hundreds of megabytes and compare them by SHA-256.
 */
public final class SeededBytes {
    private SeededBytes() {}

    /** {@code length} pseudo-random bytes determined by {@code seed}. */
    public static InputStream stream(long seed, long length) {
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private long left = length;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) return -1;
                int n = (int) Math.min(len, left);
                // One draw per byte: the bytes do not depend on how a caller splits its reads.
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) random.nextInt(256);
                }
                left -= n;
                return n;
            }
        };
    }

    /** The SHA-256 of {@link #stream}{@code (seed, length)}, read through in 64 KiB pieces. */
    public static byte[] sha256(long seed, long length) throws Exception {
        try (InputStream in = stream(seed, length); Sink sink = new Sink()) {
            in.transferTo(sink);
            return sink.digest();
        }
    }

    /** {@code SHA-256=<base64url>}, the form of an object store's {@code digest} field. */
    public static String objectDigest(byte[] sha256) {
        return "SHA-256=" + Base64.getUrlEncoder().encodeToString(sha256);
    }

    /** An OutputStream that keeps only the count and the SHA-256 of what it is given. */
    public static final class Sink extends OutputStream {
        private final MessageDigest sha;
        private long count;

        public Sink() throws NoSuchAlgorithmException {
            sha = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public void write(int b) {
            sha.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sha.update(b, off, len);
            count += len;
        }

        public long count() {
            return count;
        }

        public byte[] digest() {
            return sha.digest();
        }
    }
}
