package io.jnatsd.server.mqtt;

import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.core.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Carries NATS replies back to MQTT 5 requesters. An MQTT 5 request with a response topic and correlation data is
 * published with the reply subject {@code $MQTT.rr.<correlation data, base64url>.<response topic's subject>}; a
 * NATS responder answers there with a plain message, and this account-wide subscriber publishes it again on the
 * response topic's subject with the correlation data in its headers, which MQTT 5 subscribers receive as the
 * Correlation Data property. Stateless: nothing to expire.
 */
final class ResponseBridge {
    static final String PREFIX = "$MQTT.rr.";

    private final Account account;
    /** Republishes in arrival order, off the responder's thread. */
    private final ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
    private final InternalClient client = new InternalClient("mqtt-responses", ConnectionKind.SYSTEM, executor);
    private final Subscription sub;

    ResponseBridge(Account account) {
        this.account = account;
        this.sub = client.subscribe(account, PREFIX + ">", null, (s, m) -> republish(m));
    }

    void stop() {
        client.unsubscribe(account, sub);
        executor.shutdown();
    }

    private void republish(InternalClient.Msg m) {
        String subject = m.subject();
        int dot = subject.indexOf('.', PREFIX.length());
        if (dot < 0 || dot == subject.length() - 1) return;
        String corr;
        try {
            corr = Base64.getEncoder().encodeToString(Base64.getUrlDecoder().decode(subject.substring(PREFIX.length(), dot)));
        } catch (IllegalArgumentException e) {
            return;
        }
        StringBuilder h = new StringBuilder("NATS/1.0\r\n");
        if (m.headers() != null) {
            String[] lines = new String(m.headers(), StandardCharsets.UTF_8).split("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i];
                // Sent on live, whatever QoS it had: its stored copy, if any, was stored under the bridge's subject.
                if (l.isEmpty() || startsWithName(l, MqttHeaders.PUB) || startsWithName(l, MqttHeaders.CORRELATION)) continue;
                h.append(l).append("\r\n");
            }
        }
        h.append(MqttHeaders.CORRELATION).append(':').append(corr).append("\r\n\r\n");
        client.publish(account, subject.substring(dot + 1), null, h.toString().getBytes(StandardCharsets.UTF_8),
                m.payload());
    }

    private static boolean startsWithName(String line, String name) {
        return line.regionMatches(true, 0, name + ":", 0, name.length() + 1);
    }
}
