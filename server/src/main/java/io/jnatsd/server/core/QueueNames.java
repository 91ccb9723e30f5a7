package io.jnatsd.server.core;

/**
 * The queue group names a routed message carries (upstream's RMSG queue list): on the
 * sending side, the groups a remote server must serve; on the receiving side, the only groups
 * that may take the message there. Reused per publisher, so nothing is allocated per message.
 */
public final class QueueNames {
    private String[] names = new String[4];
    private byte[][] bytes = new byte[4][];
    private int count;

    public int count() {
        return count;
    }

    public String get(int i) {
        return names[i];
    }

    /** The names' bytes, as written on a route; entries past {@link #count()} are stale. */
    public byte[][] bytes() {
        return bytes;
    }

    /** Adds a group; {@code nameBytes} may be null where only the name is needed (a routed message read). */
    public void add(String name, byte[] nameBytes) {
        if (count == names.length) {
            names = java.util.Arrays.copyOf(names, count * 2);
            bytes = java.util.Arrays.copyOf(bytes, count * 2);
        }
        bytes[count] = nameBytes;
        names[count++] = name;
    }

    public boolean contains(String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) return true;
        }
        return false;
    }

    public void clear() {
        java.util.Arrays.fill(names, 0, count, null);
        java.util.Arrays.fill(bytes, 0, count, null);
        count = 0;
    }
}
