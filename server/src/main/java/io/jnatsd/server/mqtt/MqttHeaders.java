package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.mqtt.MqttProperties;
import io.jnatsd.protocol.mqtt.MqttTopics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What an MQTT publisher said about a message beyond topic and payload, carried in NATS headers so that NATS
 * clients, JetStream and other MQTT connections see it: {@code Nmqtt-Pub} (the QoS, as upstream), and for MQTT 5
 * each user property as a header of its own name, {@code Content-Type}, and {@code Nmqtt-}prefixed headers for the
 * payload format, the expiry time, the response topic, the correlation data (base64), the retain flag (for
 * subscribers that keep it) and the publishing session (for no-local subscriptions). Read back the same way, a NATS
 * message's headers become an MQTT 5 subscriber's user properties.
 */
final class MqttHeaders {
    static final String PUB = "Nmqtt-Pub";
    static final String RETAIN = "Nmqtt-Retain";
    static final String FORMAT = "Nmqtt-Format";
    static final String EXPIRES = "Nmqtt-Expires";
    static final String RESPONSE_TOPIC = "Nmqtt-Response-Topic";
    static final String CORRELATION = "Nmqtt-Corr";
    static final String FROM = "Nmqtt-From";
    static final String CONTENT_TYPE = "Content-Type";

    /** The headers of a message, as read: MQTT's own and the rest (user properties). */
    record Read(int qos, boolean retain, long expiresAtMillis, int format, String contentType, String responseTopic,
                String correlation, String from, List<String[]> user) {
        static final Read NONE = new Read(-1, false, 0, -1, null, null, null, null, List.of());

        boolean expired(long nowMillis) {
            return expiresAtMillis > 0 && nowMillis >= expiresAtMillis;
        }
    }

    private MqttHeaders() {}

    /**
     * The header block of a message an MQTT client publishes; {@code from} (the session's hash) only when the
     * session has a no-local subscription.
     */
    static byte[] of(int qos, boolean retain, MqttProperties props, String from, long nowMillis) {
        StringBuilder h = new StringBuilder(48).append("NATS/1.0\r\n");
        line(h, PUB, Integer.toString(qos));
        if (retain) line(h, RETAIN, "1");
        if (from != null) line(h, FROM, from);
        if (!props.isEmpty()) {
            long expiry = props.number(MqttProperties.MESSAGE_EXPIRY, -1);
            if (expiry >= 0) line(h, EXPIRES, Long.toString(nowMillis + expiry * 1000));
            if (props.number(MqttProperties.PAYLOAD_FORMAT, 0) == 1) line(h, FORMAT, "1");
            line(h, CONTENT_TYPE, props.string(MqttProperties.CONTENT_TYPE));
            line(h, RESPONSE_TOPIC, props.string(MqttProperties.RESPONSE_TOPIC));
            byte[] corr = props.binary(MqttProperties.CORRELATION_DATA);
            if (corr != null) line(h, CORRELATION, Base64.getEncoder().encodeToString(corr));
            for (String[] p : props.userProperties()) {
                if (isToken(p[0])) line(h, p[0], p[1]);
            }
        }
        return h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The NATS reply subject for an MQTT 5 response topic: the topic's subject, or with correlation data the
     * {@link ResponseBridge}'s subject that carries both, so a NATS responder's plain reply reaches the requester
     * with its correlation data.
     */
    static String replyFor(MqttProperties props, ResponseBridge bridge) {
        return replyFor(props.string(MqttProperties.RESPONSE_TOPIC), props.binary(MqttProperties.CORRELATION_DATA), bridge);
    }

    /** The same from the headers of a message held until now (a QoS 2 PUBLISH at its PUBREL). */
    static String replyFor(Read h, ResponseBridge bridge) {
        byte[] corr = null;
        try {
            if (h.correlation() != null) corr = Base64.getDecoder().decode(h.correlation());
        } catch (IllegalArgumentException e) {
            // not ours
        }
        return replyFor(h.responseTopic(), corr, bridge);
    }

    private static String replyFor(String topic, byte[] corr, ResponseBridge bridge) {
        if (topic == null) return null;
        String subject;
        try {
            subject = MqttTopics.topicToSubject(topic);
        } catch (Exception e) {
            return null;
        }
        if (corr == null || corr.length == 0) return subject;
        return bridge.replySubject(subject, corr);
    }

    private static void line(StringBuilder h, String name, String value) {
        if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) return;
        h.append(name).append(':').append(value).append("\r\n");
    }

    /** A header name NATS can carry: printable ASCII without ':' or spaces. */
    private static boolean isToken(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == ':') return false;
        }
        return true;
    }

    /** The QoS an MQTT publisher gave the message, or -1; reads only as far as it must (the QoS 0 path's check). */
    static int publishedQos(InboundMessage msg) {
        if (!msg.hasHeaders()) return -1;
        String h = msg.headers().toString(0, msg.headerLength(), StandardCharsets.US_ASCII);
        int i = h.indexOf("\r\n" + PUB + ":");
        if (i < 0) return -1;
        int at = i + PUB.length() + 3;
        while (at < h.length() && h.charAt(at) == ' ') at++;
        return at < h.length() && Character.isDigit(h.charAt(at)) ? h.charAt(at) - '0' : -1;
    }

    static Read read(InboundMessage msg) {
        if (!msg.hasHeaders()) return Read.NONE;
        return read(msg.headers().toString(0, msg.headerLength(), StandardCharsets.UTF_8));
    }

    static Read read(String block) {
        int qos = -1;
        boolean retain = false;
        long expires = 0;
        int format = -1;
        String contentType = null;
        String responseTopic = null;
        String corr = null;
        String from = null;
        List<String[]> user = new ArrayList<>(0);
        String[] lines = block.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) continue;
            String name = lines[i].substring(0, colon);
            String value = lines[i].substring(colon + 1).trim();
            switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "nmqtt-pub" -> qos = !value.isEmpty() && Character.isDigit(value.charAt(0)) ? value.charAt(0) - '0' : -1;
                case "nmqtt-retain" -> retain = value.equals("1");
                case "nmqtt-expires" -> expires = parseLong(value);
                case "nmqtt-format" -> format = (int) parseLong(value);
                case "content-type" -> contentType = value;
                case "nmqtt-response-topic" -> responseTopic = value;
                case "nmqtt-corr" -> corr = value;
                case "nmqtt-from" -> from = value;
                default -> {
                    if (!name.regionMatches(true, 0, "Nmqtt-", 0, 6)) user.add(new String[] {name, value});
                }
            }
        }
        return new Read(qos, retain, expires, format, contentType, responseTopic, corr, from, user);
    }

    /** The header lines of a block (each ending in CRLF; no status line, no blank end), but for {@code names}. */
    static String linesWithout(String block, String... names) {
        StringBuilder out = new StringBuilder();
        String[] lines = block.split("\r\n");
        next:
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) continue;
            for (String n : names) {
                if (lines[i].regionMatches(true, 0, n + ":", 0, n.length() + 1)) continue next;
            }
            out.append(lines[i]).append("\r\n");
        }
        return out.toString();
    }

    /** The value of header {@code name} in a block, or null. */
    static String value(String block, String name) {
        String[] lines = block.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return lines[i].substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The MQTT 5 properties of a delivery: from the headers, and a response topic for a NATS reply subject (a
     * NATS requester's inbox becomes a topic an MQTT responder publishes to).
     */
    static MqttProperties properties(Read h, String reply, long nowMillis) {
        MqttProperties p = new MqttProperties();
        if (h.format() == 1) p.put(MqttProperties.PAYLOAD_FORMAT, 1);
        if (h.expiresAtMillis() > 0) {
            long left = Math.max(0, (h.expiresAtMillis() - nowMillis + 999) / 1000);
            p.put(MqttProperties.MESSAGE_EXPIRY, (int) Math.min(left, 0xFFFFFFFFL));
        }
        if (h.contentType() != null) p.put(MqttProperties.CONTENT_TYPE, h.contentType());
        if (h.responseTopic() != null) {
            p.put(MqttProperties.RESPONSE_TOPIC, h.responseTopic());
        } else if (reply != null && !reply.startsWith("$JS.ACK.")) {
            p.put(MqttProperties.RESPONSE_TOPIC, MqttTopics.subjectToTopic(reply));
        }
        if (h.correlation() != null) {
            try {
                p.put(MqttProperties.CORRELATION_DATA, Base64.getDecoder().decode(h.correlation()));
            } catch (IllegalArgumentException e) {
                // not ours: left out
            }
        }
        for (String[] u : h.user()) p.addUser(u[0], u[1]);
        return p;
    }
}
