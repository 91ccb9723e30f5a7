package io.jnatsd.protocol.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.ProtocolViolation;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/** Writes down every operation the route parser reports, as text, for comparison. */
class RecordingRouteHandler implements RouteOpHandler {
    final List<String> ops = new ArrayList<>();

    @Override
    public void onInfo(ByteBuf json) {
        ops.add("INFO " + json.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void onConnect(ByteBuf json) {
        ops.add("CONNECT " + json.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void onPing() {
        ops.add("PING");
    }

    @Override
    public void onPong() {
        ops.add("PONG");
    }

    @Override
    public void onOk() {
        ops.add("+OK");
    }

    @Override
    public void onErr(String text) {
        ops.add("-ERR [" + text + "]");
    }

    @Override
    public void onRemoteSubscribe(String account, String subject, String queue, int weight, String origin) {
        if (queue == null) assertEquals(0, weight, "no weight without a queue");
        ops.add((origin == null ? "RS+ " : "LS+ " + origin + " ") + account + " " + subject
                + (queue == null ? "" : " " + queue + " " + weight));
    }

    @Override
    public void onRemoteUnsubscribe(String account, String subject, String queue, boolean leafOrigin) {
        ops.add((leafOrigin ? "LS- " : "RS- ") + account + " " + subject + (queue == null ? "" : " " + queue));
    }

    @Override
    public void onAccountInterest(String account, boolean interested) {
        ops.add((interested ? "A+ " : "A- ") + account);
    }

    @Override
    public void onRoutedMessage(RoutedMessage rm) {
        ops.add(describe(rm));
    }

    @Override
    public void onViolation(ProtocolViolation violation) {
        ops.add("VIOLATION " + violation);
    }

    static String describe(RoutedMessage rm) {
        InboundMessage m = rm.message();
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < rm.queueCount(); i++) queues.add(rm.queue(i));
        // A header size of 0 reads as no headers, so a client never gets an empty block.
        assertEquals(m.hasHeaders(), m.headerLength() > 0);
        return "MSG o=" + rm.origin() + " a=" + rm.account() + " s=" + m.subject() + " r=" + m.reply()
                + " q=" + queues + " h=" + m.headerLength() + " t=" + m.totalLength()
                + " [" + text(m.headers()) + "] [" + text(m.payload()) + "]";
    }

    /** Short data as text; long data as its length and checksum, to keep failures readable. */
    static String text(ByteBuf b) {
        if (b.readableBytes() <= 64) return b.toString(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(b.nioBuffer());
        return b.readableBytes() + " bytes, crc " + Long.toHexString(crc.getValue());
    }
}
