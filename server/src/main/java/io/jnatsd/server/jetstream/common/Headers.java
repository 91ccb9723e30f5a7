package io.jnatsd.server.jetstream.common;

import java.nio.charset.StandardCharsets;

/** Reads and adds single values of a raw {@code NATS/1.0} header block, as JetStream needs them. */
public final class Headers {
    private Headers() {}

    /** The first value of header {@code name} (case-insensitive), or null. */
    public static String get(byte[] block, String name) {
        if (block == null) return null;
        String s = new String(block, StandardCharsets.UTF_8);
        int lineStart = s.indexOf("\r\n");
        while (lineStart >= 0 && lineStart + 2 < s.length()) {
            int start = lineStart + 2;
            int end = s.indexOf("\r\n", start);
            if (end < 0) end = s.length();
            if (end == start) return null; // the empty line ends the block
            int colon = s.indexOf(':', start);
            if (colon > start && colon < end && s.substring(start, colon).trim().equalsIgnoreCase(name)) {
                return s.substring(colon + 1, end).trim();
            }
            lineStart = end;
        }
        return null;
    }

    /** {@code block} (or an empty block when null) with one more header at its end. */
    public static byte[] with(byte[] block, String name, String value) {
        String h;
        if (block == null || block.length == 0) {
            h = "NATS/1.0\r\n";
        } else {
            h = new String(block, StandardCharsets.UTF_8);
            if (h.endsWith("\r\n\r\n")) h = h.substring(0, h.length() - 2);
        }
        return (h + name + ": " + value + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code block} with the first {@code name} header's value replaced in place, or with the
     * header added at the end when there is none, as upstream's setHeader does.
     */
    public static byte[] set(byte[] block, String name, String value) {
        if (block == null || block.length == 0) return with(block, name, value);
        String s = new String(block, StandardCharsets.UTF_8);
        int lineStart = s.indexOf("\r\n");
        while (lineStart >= 0 && lineStart + 2 < s.length()) {
            int start = lineStart + 2;
            int end = s.indexOf("\r\n", start);
            if (end < 0) end = s.length();
            if (end == start) break;
            int colon = s.indexOf(':', start);
            if (colon > start && colon < end && s.substring(start, colon).trim().equalsIgnoreCase(name)) {
                int valueStart = colon + 1 < end && s.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1;
                return (s.substring(0, valueStart) + value + s.substring(end)).getBytes(StandardCharsets.UTF_8);
            }
            lineStart = end;
        }
        return with(block, name, value);
    }

    /**
     * {@code block} without any {@code name} header (case-insensitive), then with {@code name}
     * set to {@code value} at its end, as upstream rewrites a header it overrides.
     */
    public static byte[] replaced(byte[] block, String name, String value) {
        if (block == null || block.length == 0) return with(block, name, value);
        return with(filter(block, n -> n.equalsIgnoreCase(name)), name, value);
    }

    /** {@code block} without any {@code name} header (case-insensitive); null stays null. */
    public static byte[] without(byte[] block, String name) {
        return block == null || block.length == 0 ? block : filter(block, n -> n.equalsIgnoreCase(name));
    }

    /** {@code block} without the headers whose names start with {@code prefix} (case-insensitive); null stays null. */
    public static byte[] withoutPrefix(byte[] block, String prefix) {
        return block == null || block.length == 0 ? block : filter(block, n -> n.regionMatches(true, 0, prefix, 0, prefix.length()));
    }

    /** The block with the header lines whose names {@code drop} accepts left out. */
    private static byte[] filter(byte[] block, java.util.function.Predicate<String> drop) {
        String s = new String(block, StandardCharsets.UTF_8);
        StringBuilder kept = new StringBuilder(s.length());
        int eol = s.indexOf("\r\n");
        kept.append(eol < 0 ? s : s.substring(0, eol)).append("\r\n");
        int at = eol < 0 ? s.length() : eol + 2;
        while (at < s.length()) {
            int end = s.indexOf("\r\n", at);
            if (end < 0) end = s.length();
            if (end == at) break; // the empty line ends the block
            int colon = s.indexOf(':', at);
            String name = colon > at && colon < end ? s.substring(at, colon).trim() : "";
            if (!drop.test(name)) kept.append(s, at, end).append("\r\n");
            at = end + 2;
        }
        return kept.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A header block holding the given name/value pairs. */
    public static byte[] build(String... nameValues) {
        StringBuilder sb = new StringBuilder("NATS/1.0\r\n");
        for (int i = 0; i + 1 < nameValues.length; i += 2) {
            sb.append(nameValues[i]).append(": ").append(nameValues[i + 1]).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }
}
