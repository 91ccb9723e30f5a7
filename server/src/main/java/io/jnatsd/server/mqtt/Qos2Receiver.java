package io.jnatsd.server.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.protocol.mqtt.MqttPacket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * QoS 2 as the receiver, as upstream 2.10 does it (2.9.10 closes the connection): a PUBLISH is stored in
 * {@code $MQTT_qos2in} under its session and packet id, the stream keeping one per subject and refusing a second
 * (so a PUBLISH resent before PUBREL is neither replaced nor repeated); PUBREL takes it out to be published.
 */
final class Qos2Receiver {
    /** A released message: what to publish, with the headers to publish it with. */
    record Released(String subject, boolean retain, byte[] payload, byte[] headers) {}

    private static final String SUBJECT = "Nmqtt-Subject";

    private Qos2Receiver() {}

    /** Holds the message until PUBREL (the caller answers PUBREC). */
    static void received(JsApi js, Session session, String subject, MqttPacket.Publish p, byte[] publishHeaders)
            throws JsApi.JsException {
        int flags = 2 << 1 | (p.retain() ? 1 : 0);
        // Upstream's layout: the QoS and the flags nibble, then the subject to publish on; then the publisher's other
        // headers (MQTT 5 properties), given back at PUBREL.
        StringBuilder h = new StringBuilder("NATS/1.0\r\nNmqtt-Pub:2").append(Integer.toHexString(flags))
                .append("\r\nNmqtt-Subject:").append(subject).append("\r\n");
        h.append(MqttHeaders.linesWithout(new String(publishHeaders, StandardCharsets.UTF_8), MqttHeaders.PUB));
        byte[] headers = h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
        try {
            js.store("Q2", subject(session, p.packetId()), headers, p.payload());
        } catch (JsApi.JsException e) {
            if (!e.getMessage().contains("maximum messages per subject")) throw e; // else: a resent PUBLISH
        }
    }

    /** Takes the message held for {@code packetId} out of the stream; null when none is (a repeated PUBREL). */
    static Released released(JsApi js, Session session, int packetId) throws JsApi.JsException {
        ObjectNode req = JsApi.JSON.createObjectNode();
        req.put("last_by_subj", subject(session, packetId));
        JsonNode m;
        try {
            m = js.api("ML", "STREAM.MSG.GET." + AccountSessions.QOS2_IN_STREAM, req).path("message");
        } catch (JsApi.JsException e) {
            if (e.errCode != JsApi.NO_MESSAGE_FOUND) throw e;
            return null;
        }
        ObjectNode del = JsApi.JSON.createObjectNode();
        del.put("seq", m.path("seq").asLong());
        del.put("no_erase", true);
        try {
            js.api("MD", "STREAM.MSG.DELETE." + AccountSessions.QOS2_IN_STREAM, del);
        } catch (JsApi.JsException e) {
            if (e.errCode != JsApi.NO_MESSAGE_FOUND) throw e;
        }
        String headers = new String(Base64.getDecoder().decode(m.path("hdrs").asText("")), StandardCharsets.UTF_8);
        String subject = MqttHeaders.value(headers, SUBJECT);
        if (subject == null) return null;
        String pub = MqttHeaders.value(headers, MqttHeaders.PUB);
        boolean retain = pub != null && pub.length() > 1 && (Character.digit(pub.charAt(1), 16) & 1) != 0;
        StringBuilder out = new StringBuilder("NATS/1.0\r\n").append(MqttHeaders.PUB).append(":2\r\n");
        out.append(MqttHeaders.linesWithout(headers, MqttHeaders.PUB, SUBJECT));
        return new Released(subject, retain, Base64.getDecoder().decode(m.path("data").asText("")),
                out.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Upstream names these by client id; the id's hash keeps any id a valid subject token. */
    private static String subject(Session session, int packetId) {
        return AccountSessions.QOS2_IN_PREFIX + session.hash + "." + packetId;
    }
}
