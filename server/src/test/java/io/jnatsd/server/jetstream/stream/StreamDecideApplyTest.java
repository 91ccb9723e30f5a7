package io.jnatsd.server.jetstream.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.jetstream.cluster.StandaloneLog;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.server.jetstream.common.Outbox;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.store.MemoryStore;
import io.jnatsd.store.StreamStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stream's write path split in two: the leader's decision refuses a message without
 * touching the store or the log; a message taken becomes exactly one entry, which the log
 * applies (store, duplicate window, consumers) before the ack is made.
 */
class StreamDecideApplyTest {
    private final List<Object> entries = new ArrayList<>();
    private final List<Long> storedForConsumers = new ArrayList<>();
    private JsServer js;
    private StreamStore store;
    private Stream stream;

    /** Records every entry appended, then applies it as a single server does. */
    private final EntryLog.Factory recording = new EntryLog.Factory() {
        @Override
        public <E> EntryLog<E> open(String group, EntryLog.Applier<E> applier, EntryLog.Codec<E> codec) {
            EntryLog<E> standalone = StandaloneLog.FACTORY.open(group, applier, codec);
            return entry -> {
                entries.add(entry);
                return standalone.append(entry);
            };
        }
    };

    @BeforeEach
    void start() {
        js = new JsServer(new ServerOptions(), ServerLog.silent(), "test");
    }

    private void open(java.util.function.Consumer<StreamConfig> tweak) {
        StreamConfig c = new StreamConfig();
        c.name = "S";
        c.subjects = List.of("s.>");
        c.storage = "memory";
        c.maxMsgSize = 256;
        tweak.accept(c);
        assertNull(StreamConfigs.normalize(c));
        store = MemoryStore.create(js.storeConfig(c));
        stream = new Stream(js, new Account("A"), c, store, Instant.now(), recording, x -> new RecordingConsumers());
    }

    /** Consumers interested in everything, which note each sequence stored for them. */
    private final class RecordingConsumers implements Consumers {
        @Override
        public boolean interested(String subject) {
            return true;
        }

        @Override
        public void stored(long seq, String subject) {
            storedForConsumers.add(seq);
        }

        @Override
        public void deliverStored(FlushBatch batch) {}

        @Override
        public int size() {
            return 0;
        }

        @Override
        public void leadershipLost() {}

        @Override
        public void leadershipGained() {}

        @Override
        public void replicated(StreamEntry.Kind kind, String consumer, byte[] body) {}

        @Override
        public void close() {}
    }

    @AfterEach
    void stop() {
        js.shutdownExecutors();
        js.shutdownTimers();
        if (store != null) store.close();
    }

    private String publish(String headers, String payload) {
        byte[] h = headers == null ? null : ("NATS/1.0\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        StreamEntry e = StreamEntry.published("s.a", h, payload.getBytes(StandardCharsets.UTF_8), "reply", System.currentTimeMillis() * 1_000_000L);
        return new String(stream.propose(e, new Outbox()), StandardCharsets.UTF_8);
    }

    @Test
    void aPublishTakenIsOneEntryAppliedBeforeItsAck() {
        open(c -> {});
        assertEquals("{\"stream\":\"S\", \"seq\":1}", publish(null, "one"));
        assertEquals(1, entries.size());
        StreamEntry e = (StreamEntry) entries.get(0);
        assertEquals("s.a", e.subject());
        assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), e.payload());
        assertEquals(1, store.state().msgs());
        assertEquals(List.of(1L), storedForConsumers);
        assertEquals("{\"stream\":\"S\", \"seq\":2}", publish("Nats-Msg-Id: m1\r\nX-Other: 1", "two"));
        assertEquals(2, entries.size());
        assertEquals("m1", ((StreamEntry) entries.get(1)).msgId());
        assertNull(((StreamEntry) entries.get(1)).rollup());
        assertEquals(List.of(1L, 2L), storedForConsumers);
    }

    /**
     * A replicated log may hold an entry twice (a proposal retried across a leader change): every
     * replica applies the second copy of a message id as the duplicate it is, storing nothing.
     */
    @Test
    void aReplicaAppliesAMessageIdItAlreadyHoldsAsADuplicate() {
        EntryLog.Factory replicated = new EntryLog.Factory() {
            @Override
            public <E> EntryLog<E> open(String group, EntryLog.Applier<E> applier, EntryLog.Codec<E> codec) {
                return new EntryLog<>() {
                    @Override
                    public long append(E entry) {
                        return applier.apply(entry);
                    }

                    @Override
                    public boolean replicated() {
                        return true;
                    }
                };
            }
        };
        StreamConfig c = new StreamConfig();
        c.name = "R";
        c.subjects = List.of("r.>");
        c.storage = "memory";
        assertNull(StreamConfigs.normalize(c));
        store = MemoryStore.create(js.storeConfig(c));
        Stream r = new Stream(js, new Account("A"), c, store, Instant.now(), replicated, x -> new RecordingConsumers());
        byte[] h = "NATS/1.0\r\nNats-Msg-Id: once\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        StreamEntry e = StreamEntry.published("r.a", h, "x".getBytes(StandardCharsets.UTF_8), null,
                System.currentTimeMillis() * 1_000_000L);
        assertEquals(1, r.apply(e));
        assertEquals(1, r.apply(e), "the second copy names the first's sequence");
        assertEquals(1, store.state().msgs());
        assertEquals(2, r.apply(StreamEntry.published("r.a", null, "y".getBytes(StandardCharsets.UTF_8), null,
                System.currentTimeMillis() * 1_000_000L)), "a message without an id is stored as ever");
    }

    @Test
    void refusalsLeaveTheLogAndTheStoreUntouched() {
        open(c -> {});
        publish("Nats-Msg-Id: m1", "one");
        entries.clear();
        storedForConsumers.clear();
        assertTrue(publish("Nats-Expected-Last-Sequence: 7", "x").contains("\"err_code\":10071"), "wrong last sequence");
        assertTrue(publish("Nats-Expected-Stream: T", "x").contains("\"err_code\":10060"), "stream mismatch");
        assertTrue(publish("Nats-Expected-Last-Msg-Id: other", "x").contains("\"err_code\":10070"), "wrong last msg id");
        assertTrue(publish(null, "x".repeat(300)).contains("\"err_code\":10054"), "over max_msg_size");
        assertTrue(publish("Nats-Rollup: sub", "x").contains("\"err_code\":10111"), "rollup not allowed");
        assertTrue(publish("Nats-TTL: 5s", "x").contains("\"err_code\":10166"), "TTL not allowed");
        assertEquals("{\"stream\":\"S\", \"seq\":1,\"duplicate\": true}", publish("Nats-Msg-Id: m1", "again"));
        assertEquals(List.of(), entries);
        assertEquals(List.of(), storedForConsumers);
        assertEquals(1, store.state().msgs());
        assertEquals("{\"stream\":\"S\", \"seq\":2}", publish("Nats-Expected-Last-Sequence: 1\r\nNats-Expected-Last-Msg-Id: m1", "ok"));
        assertEquals(1, entries.size());
    }

    /**
     * The store's own discard-new limit is checked where the message is stored, when the entry is
     * applied (alike on every replica): the entry is in the log, the store refuses it, the
     * publisher gets the store's error and the consumers hear of nothing.
     */
    @Test
    void theStoresDiscardNewRefusalIsMadeWhenTheEntryIsApplied() {
        open(c -> {
            c.maxMsgs = 1;
            c.discard = "new";
        });
        publish(null, "one");
        String refused = publish(null, "two");
        assertTrue(refused.contains("\"err_code\":10077"), refused);
        assertEquals(2, entries.size());
        assertEquals(List.of(1L), storedForConsumers);
        assertEquals(1, store.state().msgs());
    }
}
