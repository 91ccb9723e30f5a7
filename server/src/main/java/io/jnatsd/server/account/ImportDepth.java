package io.jnatsd.server.account;

/**
 * Guards against import cycles (A imports from B, B from A): a message may cross accounts a
 * bounded number of times within one publish, as upstream's config would not allow a loop.
 */
final class ImportDepth {
    private static final int MAX = 8;
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private ImportDepth() {}

    static boolean enter() {
        int[] d = DEPTH.get();
        if (d[0] >= MAX) return false;
        d[0]++;
        return true;
    }

    static void exit() {
        DEPTH.get()[0]--;
    }
}
