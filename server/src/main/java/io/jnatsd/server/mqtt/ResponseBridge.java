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
 * published with the reply subject {@code $MQTT.rr.<tag>.<correlation data, base64url>.<response topic's subject>};
 * a NATS responder answers there with a plain message, and this account-wide subscriber publishes it again on the
 * response topic's subject with the correlation data in its headers, which MQTT 5 subscribers receive as the
 * Correlation Data property. Stateless, nothing to expire; the tag (an HMAC of the rest under a key of this
 * account's MQTT state) keeps anyone from using the bridge to publish on a subject of their choosing.
 */
final class ResponseBridge {
    static final String PREFIX = "$MQTT.rr.";

    private final Account account;
    /** Republishes in arrival order, off the responder's thread. */
    private final ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
    private final InternalClient client = new InternalClient("mqtt-responses", ConnectionKind.SYSTEM, executor);
    private final Subscription sub;
    private final byte[] key = new byte[32];

    ResponseBridge(Account account) {
        this.account = account;
        new java.security.SecureRandom().nextBytes(key);
        this.sub = client.subscribe(account, PREFIX + ">", null, (s, m) -> republish(m));
    }

    /** The reply subject for a response topic's subject and correlation data. */
    String replySubject(String subject, byte[] correlation) {
        String rest = Base64.getUrlEncoder().withoutPadding().encodeToString(correlation) + "." + subject;
        return PREFIX + tag(rest) + "." + rest;
    }

    private String tag(String rest) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            byte[] h = mac.doFinal(rest.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 12));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    void stop() {
        client.unsubscribe(account, sub);
        executor.shutdown();
    }

    private void republish(InternalClient.Msg m) {
        String subject = m.subject();
        int tagEnd = subject.indexOf('.', PREFIX.length());
        if (tagEnd < 0) return;
        String rest = subject.substring(tagEnd + 1);
        if (!java.security.MessageDigest.isEqual(tag(rest).getBytes(StandardCharsets.US_ASCII),
                subject.substring(PREFIX.length(), tagEnd).getBytes(StandardCharsets.US_ASCII))) {
            return; // not a reply subject this server made
        }
        int dot = subject.indexOf('.', tagEnd + 1);
        if (dot < 0 || dot == subject.length() - 1) return;
        String corr;
        try {
            corr = Base64.getEncoder().encodeToString(Base64.getUrlDecoder().decode(subject.substring(tagEnd + 1, dot)));
        } catch (IllegalArgumentException e) {
            return;
        }
        StringBuilder h = new StringBuilder("NATS/1.0\r\n");
        // Sent on live, whatever QoS it had: its stored copy, if any, was stored under the bridge's subject.
        if (m.headers() != null) {
            h.append(MqttHeaders.linesWithout(new String(m.headers(), StandardCharsets.UTF_8), MqttHeaders.PUB,
                    MqttHeaders.CORRELATION));
        }
        h.append(MqttHeaders.CORRELATION).append(':').append(corr).append("\r\n\r\n");
        client.publish(account, subject.substring(dot + 1), null, h.toString().getBytes(StandardCharsets.UTF_8),
                m.payload());
    }
}
