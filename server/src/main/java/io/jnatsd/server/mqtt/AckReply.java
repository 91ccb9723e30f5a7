package io.jnatsd.server.mqtt;

/**
 * Reads a JetStream ack subject ({@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>...}):
 * the stream sequence names a QoS 1 message across redeliveries, the delivery count says whether it is one.
 */
final class AckReply {
    private AckReply() {}

    static long streamSeq(String reply) {
        return token(reply, 5);
    }

    static long deliveryCount(String reply) {
        return token(reply, 4);
    }

    private static long token(String reply, int index) {
        if (reply == null || !reply.startsWith("$JS.ACK.")) return 0;
        String[] t = reply.split("\\.");
        // A domain-qualified ack subject has two more tokens ($JS.ACK.<domain>.<account hash>...).
        int shift = t.length >= 12 ? 2 : 0;
        if (t.length <= index + shift) return 0;
        try {
            return Long.parseLong(t[index + shift]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
