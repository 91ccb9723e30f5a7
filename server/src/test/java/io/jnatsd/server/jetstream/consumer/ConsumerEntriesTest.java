package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.AckSubject;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.jetstream.cluster.StandaloneCoordinator;
import io.jnatsd.server.jetstream.cluster.StandaloneLog;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamConfig;
import io.jnatsd.server.jetstream.stream.StreamConfigs;
import io.jnatsd.server.jetstream.stream.StreamEntry;
import io.jnatsd.server.log.ServerLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through the standalone coordinator with a log that records its entries: one publish is one
 * stream entry, its delivery one consumer entry and its ack another, each applied at once.
 */
class ConsumerEntriesTest {
    private final List<Object> entries = new CopyOnWriteArrayList<>();
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
    private JsServer js;
    private Stream stream;

    @BeforeEach
    void start() throws Exception {
        js = new JsServer(new ServerOptions(), ServerLog.silent(), "test");
    }

    @AfterEach
    void stop() {
        if (stream != null) {
            stream.close();
            stream.store().close();
        }
        js.shutdownExecutors();
        js.shutdownTimers();
    }

    @Test
    void aDeliveryAndItsAckAreEntriesTheConsumerApplies() throws Exception {
        Account account = new Account("A");
        JsAccount ja = new JsAccount(account);
        js.addAccount(ja);
        StandaloneCoordinator coordinator = new StandaloneCoordinator(js, recording);
        StreamConfig sc = new StreamConfig();
        sc.name = "S";
        sc.subjects = List.of("s.>");
        sc.storage = "memory";
        assertNull(StreamConfigs.normalize(sc));
        synchronized (ja) {
            stream = coordinator.createStream(ja, sc, null);
        }
        InternalClient client = new InternalClient("test", ConnectionKind.SYSTEM, Runnable::run);
        LinkedBlockingQueue<InternalClient.Msg> delivered = new LinkedBlockingQueue<>();
        client.subscribe(account, "deliver", null, (sub, msg) -> delivered.add(msg));
        ConsumerConfig cc = new ConsumerConfig();
        cc.durableName = "D";
        cc.deliverSubject = "deliver";
        cc.ackPolicy = "explicit";
        Consumer consumer = coordinator.createConsumer(ja, stream, cc, "");
        consumer.signal();

        client.publish(account, "s.a", null, null, "hello".getBytes(StandardCharsets.UTF_8));
        InternalClient.Msg m = delivered.poll(5, TimeUnit.SECONDS);
        assertNotNull(m, "delivered");
        assertEquals("hello", new String(m.payload(), StandardCharsets.UTF_8));
        List<Object> published = entries.stream().filter(e -> e instanceof StreamEntry).toList();
        assertEquals(1, published.size(), "one entry per publish: " + entries);
        assertEquals(List.of(new ConsumerEntry(ConsumerEntry.Op.DELIVERED, 1, 1, 1,
                        ((ConsumerEntry) consumerEntries().get(0)).timestampNanos())), consumerEntries());
        assertEquals(1, consumer.info().get("num_ack_pending"));

        consumer.ack(AckSubject.parse(m.reply()), null, new byte[0]);
        assertEquals(2, consumerEntries().size());
        assertEquals(new ConsumerEntry(ConsumerEntry.Op.ACKED, 1, 1, 0, 0), consumerEntries().get(1));
        assertEquals(0, consumer.info().get("num_ack_pending"));
        assertTrue(entries.indexOf(published.get(0)) < entries.indexOf(consumerEntries().get(0)), "stored before delivered");
    }

    private List<Object> consumerEntries() {
        return entries.stream().filter(e -> e instanceof ConsumerEntry).toList();
    }
}
