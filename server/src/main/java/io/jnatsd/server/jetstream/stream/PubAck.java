package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/**
 * Publish acknowledgements, written as upstream writes them (hand-built, with its spacing:
 * {@code {"stream":"S", "seq":1}}, {@code ,"duplicate": true}), and error acks
 * {@code {"error":{...},"stream":"S","seq":0}}.
 */
final class PubAck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PubAck() {}

    /**
     * What every ack of one stream begins with, up to the sequence number: quoted once per stream, not once per
     * message (a stream's name and the server's domain do not change while it runs).
     */
    static byte[] okPrefix(String stream, String domain) {
        StringBuilder sb = new StringBuilder(64).append("{\"stream\":").append(quote(stream));
        if (domain != null && !domain.isEmpty()) sb.append(", \"domain\":").append(quote(domain));
        return sb.append(", \"seq\":").toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] ok(byte[] prefix, long seq, boolean duplicate) {
        byte[] digits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        byte[] tail = duplicate ? DUPLICATE_TAIL : TAIL;
        byte[] ack = new byte[prefix.length + digits.length + tail.length];
        System.arraycopy(prefix, 0, ack, 0, prefix.length);
        System.arraycopy(digits, 0, ack, prefix.length, digits.length);
        System.arraycopy(tail, 0, ack, prefix.length + digits.length, tail.length);
        return ack;
    }

    /** A counter stream's ack: the subject's new total as {@code ,"val":"N"} (upstream's %q of a decimal). */
    static byte[] ok(byte[] prefix, long seq, String value) {
        byte[] digits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        byte[] tail = (",\"val\":\"" + value + "\"}").getBytes(StandardCharsets.US_ASCII);
        byte[] ack = new byte[prefix.length + digits.length + tail.length];
        System.arraycopy(prefix, 0, ack, 0, prefix.length);
        System.arraycopy(digits, 0, ack, prefix.length, digits.length);
        System.arraycopy(tail, 0, ack, prefix.length + digits.length, tail.length);
        return ack;
    }

    /** The ack of a committed atomic batch: its last message's sequence, the batch id and how many it stored. */
    static byte[] okBatch(byte[] prefix, long seq, String batchId, long count) {
        return (new String(prefix, StandardCharsets.UTF_8) + seq + ",\"batch\":" + io.jnatsd.protocol.wire.GoQuote.quote(batchId)
                + ",\"count\":" + count + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[] TAIL = "}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DUPLICATE_TAIL = ",\"duplicate\": true}".getBytes(StandardCharsets.US_ASCII);

    static byte[] error(String stream, ApiError e) {
        try {
            return ("{\"error\":" + JSON.writeValueAsString(e) + ",\"stream\":" + quote(stream) + ",\"seq\":0}")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Whether {@code ack} is an error ack. */
    static boolean isError(byte[] ack) {
        return ack.length > 9 && ack[2] == 'e' && new String(ack, 0, 9, StandardCharsets.UTF_8).equals("{\"error\":");
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
