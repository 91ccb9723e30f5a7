package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttProperties;
import io.jnatsd.protocol.mqtt.MqttTopics;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.log.ServerLog;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What happens when an MQTT connection ends, for 3.1.1 and 5 alike: the session is given back, cleared at once when
 * it does not outlive the connection (3.1.1 clean session; MQTT 5 Session Expiry Interval 0), else after its expiry
 * interval unless the client id connects again; the will is published at once, or (MQTT 5 Will Delay Interval)
 * after its delay or when the session ends, whichever comes first, unless the client id connects again.
 */
final class SessionEnd {
    /** 0xFFFFFFFF seconds: the session never expires. */
    static final long NEVER = 0xFFFFFFFFL;

    private static final ScheduledExecutorService TIMERS =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("mqtt-session-timers").factory());

    private SessionEnd() {}

    /** Called by the connection that owned {@code s} (under the client id's lock), after it let go of it. */
    static void released(AccountSessions sessions, Session s, MqttPacket.Will will, MqttConnection from,
                         ServerLog log) throws JsApi.JsException {
        long expiry = s.expirySeconds;
        if (expiry == 0) {
            sessions.remove(s);
            s.clear(sessions.js);
        }
        int generation = s.generation;
        if (expiry > 0 && expiry < NEVER) {
            s.leftAtMillis = System.currentTimeMillis();
            s.save(sessions.js, sessions.serverHash);
            later(expiry, () -> {
                if (expire(sessions, s, generation)) log.debug("MQTT session \"%s\" expired", s.id);
            });
        }
        if (will == null) return;
        long delay = will.props().number(MqttProperties.WILL_DELAY, 0);
        if (delay == 0 || expiry == 0) {
            publishWill(from, will, log);
        } else {
            later(Math.min(delay, expiry), () -> {
                if (s.generation == generation && s.connection == null) publishWill(from, will, log);
            });
        }
    }

    private static boolean expire(AccountSessions sessions, Session s, int generation) {
        try {
            sessions.lock(s.id);
            try {
                if (s.generation != generation || s.connection != null) return false;
                sessions.remove(s);
                s.clear(sessions.js);
                return true;
            } finally {
                sessions.unlock(s.id);
            }
        } catch (JsApi.JsException | RuntimeException e) {
            return false; // the server stopped meanwhile: its successor reads the record's expiry
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void publishWill(MqttConnection from, MqttPacket.Will w, ServerLog log) {
        try {
            // not the connection's own batch: a will may be published from a timer, after the connection's last packet
            FlushBatch batch = new FlushBatch(from);
            from.publishFlow.publishMessage(MqttTopics.topicToSubject(w.topic()), w.topic(), w.qos(), w.retain(),
                    w.message(), w.props(), batch);
            batch.flushAll();
        } catch (JsApi.JsException | io.jnatsd.protocol.mqtt.MqttProtocolException | RuntimeException e) {
            log.error("%s - MQTT: unable to publish will: %s", from, e.getMessage());
        }
    }

    private static void later(long seconds, Runnable r) {
        TIMERS.schedule(() -> Thread.ofVirtual().start(r), seconds, TimeUnit.SECONDS);
    }
}
