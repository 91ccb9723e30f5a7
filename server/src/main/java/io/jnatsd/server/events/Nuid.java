package io.jnatsd.server.events;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Unique event ids shaped as upstream's (NATS "nuid"): 22 base-62 characters, a random
 * 12-character prefix followed by a 10-character sequence that grows by a random step and
 * takes a new prefix when it runs out.
 *
 * <p>Ids must be unique, not unguessable: a SecureRandom would cost every start 15-25 ms of
 * security-provider set-up.
 */
final class Nuid {
    private static final char[] DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int PREFIX_LENGTH = 12;
    private static final int SEQUENCE_LENGTH = 10;
    private static final long SEQUENCE_LIMIT = 839_299_365_868_340_224L; // 62^10

    private final char[] prefix = new char[PREFIX_LENGTH];
    private long sequence;
    private long step;

    Nuid() {
        renew();
    }

    synchronized String next() {
        sequence += step;
        if (sequence >= SEQUENCE_LIMIT) renew();
        char[] id = new char[PREFIX_LENGTH + SEQUENCE_LENGTH];
        System.arraycopy(prefix, 0, id, 0, PREFIX_LENGTH);
        long n = sequence;
        for (int i = id.length - 1; i >= PREFIX_LENGTH; i--) {
            id[i] = DIGITS[(int) (n % DIGITS.length)];
            n /= DIGITS.length;
        }
        return new String(id);
    }

    private void renew() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < PREFIX_LENGTH; i++) prefix[i] = DIGITS[random.nextInt(DIGITS.length)];
        sequence = (random.nextLong() & Long.MAX_VALUE) % (SEQUENCE_LIMIT / 2);
        step = 33 + random.nextInt(300);
    }
}
