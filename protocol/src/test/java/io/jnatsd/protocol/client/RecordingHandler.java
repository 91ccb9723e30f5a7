package io.jnatsd.protocol.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes down every operation the parser reports, as text, for comparison. */
final class RecordingHandler implements ClientOpHandler {
    final List<String> ops = new ArrayList<>();
    /** Refuse a first operation that is not CONNECT, as a server requiring auth does. */
    boolean refuseBeforeConnect;

    @Override
    public void onConnect(ByteBuf json) {
        ops.add("CONNECT " + json.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void onInfo(ByteBuf json) {
        ops.add("INFO " + json.toString(StandardCharsets.UTF_8));
    }

    @Override
    public boolean beforeConnect() {
        if (refuseBeforeConnect) ops.add("REFUSED");
        return !refuseBeforeConnect;
    }

    @Override
    public void onPublish(InboundMessage m) {
        String hdr = m.hasHeaders() ? m.headers().toString(StandardCharsets.UTF_8) : "-";
        ops.add("PUB " + m.subject() + " " + m.reply() + " " + m.headerLength() + " " + m.totalLength()
                + " [" + hdr + "] [" + m.payload().toString(StandardCharsets.UTF_8) + "]");
    }

    @Override
    public void onSubscribe(String subject, String queue, String sid) {
        ops.add("SUB " + subject + " " + queue + " " + sid);
    }

    @Override
    public void onUnsubscribe(String sid, long max) {
        ops.add("UNSUB " + sid + " " + max);
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
    public void onViolation(ProtocolViolation violation) {
        ops.add("VIOLATION " + violation);
    }
}
