package io.jnatsd.protocol.wire;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Go's {@code %q} for a string or bytes, as upstream's log lines quote user names, nkeys and
 * the protocol bytes a client sent.
 */
public final class GoQuote {
    private GoQuote() {
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case 11 -> sb.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", c));
                    } else if (Character.isISOControl(c) || !Character.isDefined(c)) {
                        sb.append(c > 0xffff ? String.format("\\U%08x", c) : String.format("\\u%04x", c));
                    } else {
                        sb.appendCodePoint(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** {@code %q} of the bytes {@code [from, to)}: bytes that are not UTF-8 show as {@code \\xNN}, as Go shows them. */
    public static String quote(ByteBuf in, int from, int to) {
        byte[] b = new byte[to - from];
        in.getBytes(from, b);
        try {
            return quote(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString());
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder();
            for (byte x : b) {
                if (x < 0) {
                    sb.append(String.format("\\x%02x", x & 0xff));
                } else {
                    String q = quote(String.valueOf((char) x));
                    sb.append(q, 1, q.length() - 1);
                }
            }
            return '"' + sb.toString() + '"';
        }
    }
}
