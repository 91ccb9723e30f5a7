package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.KeyValueOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * JetStream used from another account: A owns the streams and exports its API, ack subjects
 * and delivery subjects; B and C import them (renamed by {@code to}, by {@code prefix}, or as
 * they are). A delivery crossing the import keeps the subject it was stored under and its ack
 * reply, as upstream's does, so that B can ack and its key-value client can read keys.
 */
class JetStreamAcrossAccountsTest {
    @TempDir
    Path dir;

    private static final String ACCOUNTS = """
            accounts {
              A: { jetstream: enabled, users: [{user: a, password: a}], exports: [
                     {service: "$JS.API.>"}, {service: "$JS.ACK.>"}, {service: "$JS.FC.>"},
                     {stream: "deliver.>"}, {stream: "_INBOX.>"}, {stream: "renamed.>"} ] }
              B: { users: [{user: b, password: b}], imports: [
                     {service: {account: A, subject: "$JS.API.>"}, to: "JS.A.API.>"},
                     {service: {account: A, subject: "$JS.ACK.>"}},
                     {service: {account: A, subject: "$JS.FC.>"}},
                     {stream: {account: A, subject: "deliver.>"}, prefix: "a"},
                     {stream: {account: A, subject: "renamed.>"}, to: "fromA.>"},
                     {stream: {account: A, subject: "_INBOX.>"}} ] }
            }
            """;

    private TestServer start(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve(impl.name().toLowerCase()));
        return TestServer.start(impl, "jetstream { store_dir: \"" + store + "\" }\n" + ACCOUNTS);
    }

    private static Connection connect(TestServer s, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).userInfo(user, user).build());
    }

    /** One received MSG line (subject, sid, reply or "" for none) and its payload. */
    private record Delivery(String subject, String sid, String reply, String payload) {}

    private static Delivery nextMsg(RawClient raw) throws IOException {
        String line;
        do {
            line = raw.readLine();
            assertNotNull(line, "connection closed");
        } while (line.equals("PING") || line.equals("PONG") || line.startsWith("+OK"));
        String[] f = line.split(" ");
        assertEquals("MSG", f[0], line);
        int size = Integer.parseInt(f[f.length - 1]);
        String payload = new String(raw.readBytes(size), StandardCharsets.UTF_8);
        raw.readBytes(2);
        return new Delivery(f[1], f[2], f.length == 5 ? f[3] : "", payload);
    }

    private static String api(RawClient b, String subject, String body) throws IOException {
        b.send("PUB " + subject + " _INBOX.api " + bytes(body).length + "\r\n" + body + "\r\n");
        return nextMsg(b).payload();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pushDeliveriesThroughStreamImportsKeepTheirSubjectAndAckReply(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection a = connect(s, "a"); RawClient b = s.raw()) {
            a.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>").build());
            b.connect("\"user\":\"b\",\"pass\":\"b\"");
            b.send("SUB _INBOX.api 1\r\nSUB a.deliver.b 2\r\nSUB fromA.x 3\r\n");
            b.untilPong();
            String created = api(b, "JS.A.API.CONSUMER.DURABLE.CREATE.ORDERS.PUSH",
                    "{\"stream_name\":\"ORDERS\",\"config\":{\"durable_name\":\"PUSH\",\"deliver_subject\":\"deliver.b\","
                            + "\"ack_policy\":\"explicit\"}}");
            assertTrue(created.contains("\"name\":\"PUSH\""), created);
            String renamed = api(b, "JS.A.API.CONSUMER.DURABLE.CREATE.ORDERS.RENAMED",
                    "{\"stream_name\":\"ORDERS\",\"config\":{\"durable_name\":\"RENAMED\",\"deliver_subject\":\"renamed.x\","
                            + "\"ack_policy\":\"none\"}}");
            assertTrue(renamed.contains("\"name\":\"RENAMED\""), renamed);

            a.jetStream().publish("orders.new.1", bytes("hello"));
            Delivery[] got = {nextMsg(b), nextMsg(b)};
            java.util.Arrays.sort(got, java.util.Comparator.comparing(Delivery::sid).reversed());
            assertEquals("3", got[0].sid());
            assertEquals("orders.new.1", got[0].subject());
            assertTrue(got[0].reply().startsWith("$JS.ACK.ORDERS.RENAMED.1.1.1."), got[0].reply());
            assertEquals("orders.new.1", got[1].subject());
            assertTrue(got[1].reply().startsWith("$JS.ACK.ORDERS.PUSH.1.1.1."), got[1].reply());
            assertEquals("hello", got[1].payload());

            b.send("PUB " + got[1].reply() + " 0\r\n\r\n");
            b.untilPong();
            TestServer.await(5000, () -> TestServer.consumerInfo(a, "ORDERS", "PUSH").getAckFloor().getStreamSequence() == 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pullDeliveriesThroughAServiceImportKeepTheirSubjectAndAckReply(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection a = connect(s, "a"); RawClient b = s.raw()) {
            a.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>").build());
            b.connect("\"user\":\"b\",\"pass\":\"b\"");
            b.send("SUB _INBOX.api 1\r\nSUB _INBOX.pull 2\r\n");
            b.untilPong();
            String created = api(b, "JS.A.API.CONSUMER.DURABLE.CREATE.ORDERS.PULL",
                    "{\"stream_name\":\"ORDERS\",\"config\":{\"durable_name\":\"PULL\",\"ack_policy\":\"explicit\"}}");
            assertTrue(created.contains("\"name\":\"PULL\""), created);
            a.jetStream().publish("orders.new.1", bytes("hello"));

            b.send("PUB JS.A.API.CONSUMER.MSG.NEXT.ORDERS.PULL _INBOX.pull 11\r\n{\"batch\":1}\r\n");
            Delivery d = nextMsg(b);
            assertEquals("orders.new.1", d.subject());
            assertTrue(d.reply().startsWith("$JS.ACK.ORDERS.PULL.1.1.1."), d.reply());
            assertEquals("hello", d.payload());

            b.send("PUB " + d.reply() + " 0\r\n\r\n");
            b.untilPong();
            TestServer.await(5000, () -> TestServer.consumerInfo(a, "ORDERS", "PULL").getAckFloor().getStreamSequence() == 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void keyValueClientWorksFromTheImportingAccount(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection a = connect(s, "a"); Connection b = connect(s, "b")) {
            a.keyValueManagement().create(KeyValueConfiguration.builder().name("cfg").build());
            KeyValue own = a.keyValue("cfg");
            own.put("colour", bytes("blue"));
            own.put("size.max", bytes("9"));

            KeyValue kv = b.keyValue("cfg", KeyValueOptions.builder().jsPrefix("JS.A.API").build());
            KeyValueEntry e = kv.get("colour");
            assertNotNull(e);
            assertEquals("colour", e.getKey());
            assertEquals("blue", new String(e.getValue(), StandardCharsets.UTF_8));
            assertEquals(List.of("colour", "size.max"), List.copyOf(new TreeSet<>(kv.keys())));
            List<KeyValueEntry> history = kv.history("size.max");
            assertEquals(1, history.size());
            assertEquals("size.max", history.get(0).getKey());
        }
    }
}
