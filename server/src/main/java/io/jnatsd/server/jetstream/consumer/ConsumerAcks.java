package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.AckSubject;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.stream.Advisories;
import io.jnatsd.server.jetstream.stream.Stream;

import io.jnatsd.conf.GoDuration;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A consumer's acknowledgements (upstream's processAckMsg, processNak, processTerm and
 * checkPending): what clients send on the ack subject, and the ack_wait timer that queues for
 * redelivery what was not acknowledged in time. Guarded by the consumer's lock, like the
 * {@link AckTracker} it shares with the consumer, which tracks each delivery in it.
 */
final class ConsumerAcks {
    private static final long ACK_WAIT_DELAY_NANOS = 1_000_000L;

    private final Consumer consumer;
    private final StreamConsumers owner;
    private final AckTracker acks;
    private ScheduledFuture<?> ackTimer;
    private long lastAcked;

    ConsumerAcks(Consumer consumer, StreamConsumers owner, AckTracker acks) {
        this.consumer = consumer;
        this.owner = owner;
        this.acks = acks;
    }

    /** When the last ack was processed, epoch nanos; 0 for never. Lock held. */
    long lastAcked() {
        return lastAcked;
    }

    /** A message on this consumer's ack subject. */
    void ack(AckSubject a, String reply, byte[] body) {
        int len = body.length;
        String text = len == 0 ? "" : new String(body, StandardCharsets.UTF_8);
        boolean skipReply = a.streamSeq() == 0;
        if (len == 0 || text.equals("+ACK") || text.equals("+OK")) {
            processAck(a.streamSeq(), a.consumerSeq(), a.deliveries(), true, true, null);
        } else if (text.startsWith("+NXT")) {
            processAck(a.streamSeq(), a.consumerSeq(), a.deliveries(), true, true, null);
            consumer.nextRequest(reply, text.substring(4).getBytes(StandardCharsets.UTF_8));
            skipReply = true;
        } else if (text.startsWith("-NAK")) {
            processNak(a.streamSeq(), a.consumerSeq(), a.deliveries(), text);
        } else if (text.equals("+WPI")) {
            progress(a.streamSeq());
        } else if (text.startsWith("+TERM")) {
            processTerm(a.streamSeq(), a.consumerSeq(), a.deliveries(), text.substring(5).trim());
        }
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            if (reply != null && !reply.isEmpty() && !skipReply) consumer.publishEmpty(reply, null);
            consumer.suppressDeletion();
        }
    }

    /**
     * upstream's processAckMsg; {@code retain}: tell the stream, for interest and workqueue
     * retention; {@code terminated}: the +TERM reason ("" without one) when the ack is a +TERM,
     * whose message, if still awaiting its ack, goes to the dead-letter subject first.
     */
    private void processAck(long seq, long d, long dc, boolean retain, boolean sample, String terminated) {
        long ackedFrom;
        boolean wake = false;
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            if (terminated != null && consumer.config().acks() && acks.isPending(seq)) {
                consumer.deadLetter(seq, dc, DeadLetters.TERMINATED, terminated);
            }
            switch (consumer.config().ackPolicy) {
                case "explicit" -> {
                    if (sample) sampleAck(seq, d, dc);
                    if (consumer.maxAckPendingReached()) wake = true;
                    ackedFrom = consumer.log().append(ConsumerEntry.acked(seq, d));
                }
                case "all" -> {
                    if (consumer.maxAckPendingReached()) wake = true;
                    ackedFrom = consumer.log().append(ConsumerEntry.acked(seq, d));
                    if (ackedFrom == 0) return;
                }
                default -> {
                    return;
                }
            }
            if (acks.pendingCount() == 0 && ackTimer != null) {
                ackTimer.cancel(false);
                ackTimer = null;
            }
            lastAcked = GoTime.nowNanos();
            consumer.markDirty();
        }
        Stream stream = consumer.stream();
        if (retain && !"limits".equals(stream.config().retention)) {
            // Removing from the store writes to disk: not on the publisher's event loop.
            long from = ackedFrom;
            consumer.run(() -> {
                long first = Math.max(from, stream.store().state().firstSeq());
                for (long s = first; s <= seq; s++) owner.acknowledged(consumer, s);
            });
        }
        if (wake) consumer.signal();
    }

    /** sample_freq: the ack's metric, for a delivery still awaiting it. Lock held. */
    private void sampleAck(long seq, long d, long dc) {
        AckTracker.Pending p = acks.pending(seq);
        if (p == null || !AckSampling.sample(AckSampling.percent(consumer.config().sampleFreq))) return;
        Stream stream = consumer.stream();
        Advisories.ackMetric(consumer.js(), stream.account(), stream.name(), consumer.name(), d, seq,
                GoTime.nowNanos() - p.timestamp, dc);
    }

    private void processNak(long seq, long d, long dc, String text) {
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            if (d <= acks.floorConsumer || d > consumer.dseq()) return;
            if (acks.pendingCount() > 0 && !acks.isPending(seq)) return;
            consumer.advise("MSG_NAKED", "nak", "consumer_seq", d, "stream_seq", seq, "deliveries", dc);
            String arg = text.length() > 4 ? text.substring(4).trim() : "";
            if (!arg.isEmpty()) {
                long delay = -1;
                try {
                    if (arg.startsWith("{")) delay = JsJson.JSON.readTree(arg).path("delay").asLong(0);
                    else delay = GoDuration.parseNanos(arg);
                } catch (java.io.IOException | IllegalArgumentException e) {
                    Stream stream = consumer.stream();
                    consumer.js().log().warn("JetStream consumer '%s > %s > %s' bad NAK delay value: \"%s\"",
                            stream.account().name(), stream.name(), consumer.name(), arg);
                }
                if (delay >= 0) {
                    acks.unqueue(seq);
                    if (acks.isPending(seq)) {
                        // as if delivered so that ack_wait runs out after the delay
                        acks.touch(seq, GoTime.nowNanos() - consumer.config().ackWait + delay);
                        consumer.markDirty();
                        scheduleAckTimer(10_000_000L);
                    }
                    return;
                }
            }
            acks.requeue(seq);
        }
        consumer.signal();
    }

    /** The message left the stream while awaiting its ack: acknowledged, without a word. */
    void forget(long seq, long d, long dc) {
        processAck(seq, d, dc, false, false, null);
    }

    /** +TERM with its {@code reason} ("" without one). */
    private void processTerm(long seq, long d, long dc, String reason) {
        processAck(seq, d, dc, true, false, reason);
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            if (reason.isEmpty()) {
                consumer.advise("MSG_TERMINATED", "terminated", "consumer_seq", d, "stream_seq", seq, "deliveries", dc);
            } else {
                consumer.advise("MSG_TERMINATED", "terminated", "consumer_seq", d, "stream_seq", seq, "deliveries", dc,
                        "reason", reason);
            }
        }
    }

    private void progress(long seq) {
        synchronized (consumer) {
            if (acks.isPending(seq)) {
                acks.touch(seq, GoTime.nowNanos());
                consumer.markDirty();
            }
        }
    }

    // ---- redelivery after ack_wait ----

    /** Pending deliveries restored from the stored state: they are redelivered soon after the start. Lock held. */
    void restored() {
        if (acks.pendingCount() > 0) {
            long ackWait = consumer.config().ackWait;
            long delay = 500_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
            if (ackWait < delay) delay = ackWait + ACK_WAIT_DELAY_NANOS;
            scheduleAckTimer(delay);
        }
    }

    /** A delivery now awaits its ack: the ack_wait timer runs unless it already does. Lock held. */
    void delivered() {
        if (ackTimer == null) scheduleAckTimer(consumer.config().ackWait + ACK_WAIT_DELAY_NANOS);
    }

    /** The config's ack_wait changed: a running timer is re-armed so that the new value takes hold. Lock held. */
    void ackWaitChanged() {
        if (ackTimer != null) scheduleAckTimer(100_000_000L);
    }

    /** The consumer stops. Lock held. */
    void stop() {
        if (ackTimer != null) ackTimer.cancel(false);
    }

    private void scheduleAckTimer(long delayNanos) {
        if (ackTimer != null) ackTimer.cancel(false);
        ackTimer = consumer.js().timers().schedule(() -> consumer.run(this::checkPending), Math.max(delayNanos, 1_000_000L),
                TimeUnit.NANOSECONDS);
    }

    /** upstream's checkPending: queues for redelivery what waited longer than ack_wait (or its backoff). */
    private void checkPending() {
        boolean wake = false;
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            ackTimer = null;
            if (acks.pendingCount() == 0) return;
            long[] next = new long[1];
            int before = acks.pendingCount();
            ConsumerConfig cfg = consumer.config();
            List<Long> expired = acks.expire(GoTime.nowNanos(), cfg.ackWait, cfg.backoff,
                    consumer.stream().store().state().firstSeq(), next);
            if (acks.pendingCount() != before) consumer.markDirty();
            wake = !expired.isEmpty();
            if (acks.pendingCount() > 0) scheduleAckTimer(next[0] + ACK_WAIT_DELAY_NANOS);
        }
        if (wake) consumer.signal();
    }

    /** max_deliver reached: upstream's max_deliver advisory. Lock held. */
    void deliveryExceeded(long seq, long deliveries) {
        consumer.advise("MAX_DELIVERIES", "max_deliver", "stream_seq", seq, "deliveries", deliveries);
    }
}
