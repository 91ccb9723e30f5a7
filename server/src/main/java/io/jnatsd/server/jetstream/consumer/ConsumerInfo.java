package io.jnatsd.server.jetstream.consumer;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The consumer_info object as upstream writes it: its fields in its order, left out where
 * upstream leaves them out. Read from the consumer and its parts under the consumer's lock.
 */
final class ConsumerInfo {
    private ConsumerInfo() {}

    /** Lock held. */
    static Map<String, Object> of(Consumer consumer, long lastDelivered, AckTracker acks, ConsumerAcks acking,
                                  PullRequestHandler pull, ConsumerActivity activity, ConsumerPause pause) {
        ConsumerConfig cfg = consumer.config();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stream_name", consumer.stream().name());
        out.put("name", consumer.name());
        out.put("created", consumer.created().toString());
        out.put("config", cfg);
        out.put("delivered", sequenceInfo(consumer.dseq() - 1, consumer.sseq() - 1, lastDelivered));
        out.put("ack_floor", sequenceInfo(acks.floorConsumer, acks.floorStream, acking.lastAcked()));
        out.put("num_ack_pending", acks.pendingCount());
        out.put("num_redelivered", acks.redeliveredCount());
        int numWaiting = 0;
        if (cfg.isPull()) numWaiting = pull.numWaiting();
        out.put("num_waiting", numWaiting);
        out.put("num_pending", consumer.numPending());
        if (cfg.isPush()) {
            if (activity.refreshInterest(System.nanoTime())) consumer.signal(); // now, not as of the last housekeeping pass
            if (activity.active()) out.put("push_bound", true);
        }
        long paused = pause.remaining();
        if (paused > 0) {
            out.put("paused", true);
            out.put("pause_remaining", paused);
        }
        var groups = pull.priorityGroups();
        if (groups != null) out.put("priority_groups", groups);
        return out;
    }

    private static Map<String, Object> sequenceInfo(long consumerSeq, long streamSeq, long lastNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("consumer_seq", consumerSeq);
        m.put("stream_seq", streamSeq);
        if (lastNanos != 0) m.put("last_active", Instant.ofEpochSecond(0, lastNanos).toString());
        return m;
    }
}
