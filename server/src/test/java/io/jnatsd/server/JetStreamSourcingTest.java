package io.jnatsd.server;

import static io.jnatsd.server.JetStreamFeaturesTest.awaitCount;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.External;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.Mirror;
import io.nats.client.api.MirrorInfo;
import io.nats.client.api.Source;
import io.nats.client.api.SourceInfo;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.SubjectTransform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Mirrors and sources, against jnatsd and upstream (2.10+ features against jnatsd only). */
class JetStreamSourcingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private String conf(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve(impl.name().toLowerCase()));
        return "jetstream { store_dir: \"" + store + "\" }";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aMirrorWithMirrorDirectAnswersDirectGetsForItsOrigin(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ORIG").subjects("o.>").allowDirect(true).build());
            JetStream js = c.jetStream();
            for (int i = 1; i <= 3; i++) js.publish("o." + i, bytes("m" + i));
            jsm.addStream(StreamConfiguration.builder().name("M").mirrorDirect(true)
                    .mirror(Mirror.builder().sourceName("ORIG").build()).build());
            awaitCount(jsm, "M", 3, WAIT);
            jsm.deleteStream("ORIG");

            Message got = c.request("$JS.API.DIRECT.GET.ORIG", bytes("{\"seq\":2}"), WAIT);
            assertArrayEquals(bytes("m2"), got.getData(), "the mirror answers for its deleted origin");
            assertEquals("M", got.getHeaders().getFirst("Nats-Stream"));
            assertEquals("o.2", got.getHeaders().getFirst("Nats-Subject"));
            assertEquals("2", got.getHeaders().getFirst("Nats-Sequence"));

            jsm.addStream(StreamConfiguration.builder().name("N").mirror(Mirror.builder().sourceName("OTHER").build()).build());
            Message none = c.request("$JS.API.DIRECT.GET.OTHER", bytes("{\"seq\":1}"), Duration.ofSeconds(1));
            assertNull(none, "without mirror_direct nobody answers for the origin");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void mirrorKeepsTheOriginSequences(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ORIG").subjects("o.>").build());
            JetStream js = c.jetStream();
            for (int i = 1; i <= 5; i++) js.publish("o." + i, bytes("m" + i));
            jsm.deleteMessage("ORIG", 3);
            StreamInfo created = jsm.addStream(StreamConfiguration.builder().name("M")
                    .mirror(Mirror.builder().sourceName("ORIG").build()).build());
            assertTrue(created.getConfiguration().getSubjects().isEmpty());
            awaitCount(jsm, "M", 4, WAIT);
            MessageInfo m4 = jsm.getMessage("M", 4);
            assertEquals("o.4", m4.getSubject());
            assertArrayEquals(bytes("m4"), m4.getData());
            assertEquals(10037, assertThrows(JetStreamApiException.class, () -> jsm.getMessage("M", 3)).getApiErrorCode());

            js.publish("o.6", bytes("m6"));
            awaitCount(jsm, "M", 5, WAIT);
            StreamInfo info = jsm.getStreamInfo("M");
            assertEquals(6, info.getStreamState().getLastSequence());
            MirrorInfo mi = info.getMirrorInfo();
            assertNotNull(mi);
            assertEquals("ORIG", mi.getName());
            assertEquals(0, mi.getLag());
            assertTrue(!mi.getActive().isNegative(), "active " + mi.getActive());

            JetStreamApiException withSubjects = assertThrows(JetStreamApiException.class, () -> jsm.addStream(StreamConfiguration
                    .builder().name("M2").subjects("m2").mirror(Mirror.builder().sourceName("ORIG").build()).build()));
            assertEquals(10034, withSubjects.getApiErrorCode());
            JetStreamApiException changed = assertThrows(JetStreamApiException.class, () -> jsm.updateStream(StreamConfiguration
                    .builder().name("M").mirror(Mirror.builder().sourceName("OTHER").build()).build()));
            assertEquals(10055, changed.getApiErrorCode());

            jsm.addStream(StreamConfiguration.builder().name("FROM4")
                    .mirror(Mirror.builder().sourceName("ORIG").startSeq(4).build()).build());
            awaitCount(jsm, "FROM4", 3, WAIT);
            assertEquals(4, jsm.getStreamInfo("FROM4").getStreamState().getFirstSequence());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void sourcesWithFilter(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("S1").subjects("a.>").build());
            jsm.addStream(StreamConfiguration.builder().name("S2").subjects("b.>").build());
            JetStream js = c.jetStream();
            js.publish("a.keep.1", bytes("k1"));
            js.publish("a.drop.1", bytes("d1"));
            js.publish("b.x", bytes("b1"));
            jsm.addStream(StreamConfiguration.builder().name("AGG").subjects("agg")
                    .sources(Source.builder().sourceName("S1").filterSubject("a.keep.>").build(),
                            Source.builder().sourceName("S2").build())
                    .build());
            js.publish("a.keep.2", bytes("k2"));
            js.publish("agg", bytes("own"));
            awaitCount(jsm, "AGG", 4, WAIT);
            Set<String> subjects = new HashSet<>();
            for (long seq = 1; seq <= 4; seq++) {
                MessageInfo m = jsm.getMessage("AGG", seq);
                subjects.add(m.getSubject());
                if (!m.getSubject().equals("agg")) {
                    String h = m.getHeaders().getFirst("Nats-Stream-Source");
                    assertNotNull(h, m.getSubject());
                    assertTrue(h.startsWith(m.getSubject().startsWith("a.") ? "S1 " : "S2 "), h);
                } else {
                    assertNull(m.getHeaders());
                }
            }
            assertEquals(Set.of("a.keep.1", "a.keep.2", "b.x", "agg"), subjects);
            List<SourceInfo> infos = jsm.getStreamInfo("AGG").getSourceInfos();
            assertEquals(2, infos.size());
            assertEquals(Set.of("S1", "S2"), Set.of(infos.get(0).getName(), infos.get(1).getName()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD") // subject transforms on sources and the 2.10 header form
    void sourceTransformsAndHeaderForm(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("EU").subjects("orders.*").build());
            JetStream js = c.jetStream();
            js.publish("orders.1", bytes("x"));
            jsm.addStream(StreamConfiguration.builder().name("ALL").subjects("all.>")
                    .sources(Source.builder().sourceName("EU").subjectTransforms(
                            SubjectTransform.builder().source("orders.*").destination("all.eu.{{wildcard(1)}}").build()).build())
                    .build());
            awaitCount(jsm, "ALL", 1, WAIT);
            MessageInfo m = jsm.getMessage("ALL", 1);
            assertEquals("all.eu.1", m.getSubject());
            assertEquals("EU 1 orders.* all.eu.{{wildcard(1)}} orders.1", m.getHeaders().getFirst("Nats-Stream-Source"));

            jsm.addStream(StreamConfiguration.builder().name("ONE").subjects("one")
                    .sources(Source.builder().sourceName("EU").filterSubject("orders.1").build()).build());
            awaitCount(jsm, "ONE", 1, WAIT);
            assertEquals("EU 1 orders.1 > orders.1", jsm.getMessage("ONE", 1).getHeaders().getFirst("Nats-Stream-Source"));

            // (the client drops equal sources itself, so the request is written by hand)
            String dup = new String(c.request("$JS.API.STREAM.CREATE.DUP",
                    bytes("{\"name\":\"DUP\",\"subjects\":[\"dup\"],\"sources\":[{\"name\":\"EU\"},{\"name\":\"EU\"}]}"),
                    Duration.ofSeconds(2)).getData(), StandardCharsets.UTF_8);
            assertTrue(dup.contains("\"err_code\":10140"), dup);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD")
    void mirrorAndSourcesResumeAfterARestartWithoutDuplicates(Impl impl) throws Exception {
        String conf = conf(impl);
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ORIG").subjects("o.>").build());
            jsm.addStream(StreamConfiguration.builder().name("M").mirror(Mirror.builder().sourceName("ORIG").build()).build());
            jsm.addStream(StreamConfiguration.builder().name("AGG").subjects("agg")
                    .sources(Source.builder().sourceName("ORIG").build()).build());
            jsm.addStream(StreamConfiguration.builder().name("PURGED").subjects("purged")
                    .sources(Source.builder().sourceName("ORIG").build()).build());
            JetStream js = c.jetStream();
            for (int i = 0; i < 20; i++) js.publish("o." + (i % 4), bytes("m" + i));
            awaitCount(jsm, "M", 20, WAIT);
            awaitCount(jsm, "AGG", 20, WAIT);
            awaitCount(jsm, "PURGED", 20, WAIT);
            jsm.purgeStream("PURGED");
        }
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            JetStream js = c.jetStream();
            for (int i = 20; i < 25; i++) js.publish("o." + (i % 4), bytes("m" + i));
            awaitCount(jsm, "M", 25, WAIT);
            awaitCount(jsm, "AGG", 25, WAIT);
            awaitCount(jsm, "PURGED", 5, WAIT);
            Thread.sleep(300); // nothing more may arrive
            assertEquals(25, jsm.getStreamInfo("AGG").getStreamState().getMsgCount());
            assertEquals(5, jsm.getStreamInfo("PURGED").getStreamState().getMsgCount());
            assertEquals(25, jsm.getStreamInfo("M").getStreamState().getLastSequence());
            for (long seq = 1; seq <= 25; seq++) {
                assertArrayEquals(bytes("m" + (seq - 1)), jsm.getMessage("AGG", seq).getData());
            }
            assertArrayEquals(bytes("m20"), jsm.getMessage("PURGED", 21).getData());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void externalSourceInAnotherAccount(Impl impl) throws Exception {
        String conf = conf(impl) + "\naccounts {\n"
                + "  A: { jetstream: enabled, users: [{user: a, password: a}],\n"
                + "       exports: [{service: \"$JS.API.>\"}, {stream: \"deliver.>\"}] }\n"
                + "  B: { jetstream: enabled, users: [{user: b, password: b}],\n"
                + "       imports: [{service: {account: A, subject: \"$JS.API.>\"}, to: \"$JS.A.API.>\"},\n"
                + "                 {stream: {account: A, subject: \"deliver.>\"}}] }\n"
                + "}\n";
        try (TestServer s = TestServer.start(impl, conf);
             Connection a = Nats.connect(new Options.Builder().server(s.url()).userInfo("a", "a").build());
             Connection b = Nats.connect(new Options.Builder().server(s.url()).userInfo("b", "b").build())) {
            a.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORIG").subjects("o.>").build());
            a.jetStream().publish("o.1", bytes("from A"));
            JetStreamManagement jsmB = b.jetStreamManagement();
            jsmB.addStream(StreamConfiguration.builder().name("COPY").subjects("copy")
                    .sources(Source.builder().sourceName("ORIG")
                            .external(External.builder().api("$JS.A.API").deliver("deliver.b").build()).build())
                    .build());
            awaitCount(jsmB, "COPY", 1, WAIT);
            assertArrayEquals(bytes("from A"), jsmB.getMessage("COPY", 1).getData());
            jsmB.addStream(StreamConfiguration.builder().name("MB")
                    .mirror(Mirror.builder().sourceName("ORIG").external(External.builder().api("$JS.A.API").deliver("deliver.m").build()).build())
                    .build());
            awaitCount(jsmB, "MB", 1, WAIT);
            assertEquals("$JS.A.API", jsmB.getStreamInfo("MB").getMirrorInfo().getExternal().getApi());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void consumerFiltersMayNameTheSubjectsOfMirrorsAndSources(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("S1").subjects("u1", "u2").build());
            jsm.addStream(StreamConfiguration.builder().name("W").subjects("w.>").build());
            jsm.addStream(StreamConfiguration.builder().name("M1").mirror(Mirror.builder().sourceName("S1").build()).build());
            jsm.addStream(StreamConfiguration.builder().name("MM").mirror(Mirror.builder().sourceName("M1").build()).build());
            jsm.addStream(StreamConfiguration.builder().name("SRC")
                    .sources(Source.builder().sourceName("S1").build(), Source.builder().sourceName("W").build()).build());
            jsm.addStream(StreamConfiguration.builder().name("OWN").subjects("own.>")
                    .sources(Source.builder().sourceName("S1").filterSubject("u2").build()).build());
            jsm.addStream(StreamConfiguration.builder().name("EXT").mirror(Mirror.builder().sourceName("S1")
                    .external(External.builder().api("$JS.X.API").build()).build()).build());

            String[][] accepted = {{"M1", "u1"}, {"MM", "u1"}, {"SRC", "u2"}, {"SRC", "w.x"}, {"SRC", "w.>"},
                {"OWN", "u1"}, {"OWN", "own.a"}, {"EXT", "anything.at.all"}};
            int n = 0;
            for (String[] a : accepted) {
                ConsumerConfiguration cc = ConsumerConfiguration.builder().durable("C" + n++).filterSubject(a[1]).build();
                assertEquals(a[1], jsm.addOrUpdateConsumer(a[0], cc).getConsumerConfiguration().getFilterSubject(),
                        a[0] + " accepts " + a[1]);
            }
            String[][] refused = {{"M1", "w.x"}, {"MM", "u3"}, {"SRC", "u3"}, {"OWN", "w.x"}};
            for (String[] r : refused) {
                ConsumerConfiguration cc = ConsumerConfiguration.builder().durable("C" + n++).filterSubject(r[1]).build();
                JetStreamApiException e = assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer(r[0], cc));
                assertEquals(10093, e.getApiErrorCode(), r[0] + " refuses " + r[1]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void sourcesAddedByAnUpdate(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("A").subjects("a").build());
            jsm.addStream(StreamConfiguration.builder().name("B").subjects("b").build());
            StreamConfiguration agg = StreamConfiguration.builder().name("AGG").subjects("agg")
                    .sources(Source.builder().sourceName("A").build()).build();
            jsm.addStream(agg);
            JetStream js = c.jetStream();
            js.publish("a", bytes("a1"));
            js.publish("b", bytes("b1"));
            awaitCount(jsm, "AGG", 1, WAIT);
            jsm.updateStream(StreamConfiguration.builder(agg).addSource(Source.builder().sourceName("B").build()).build());
            awaitCount(jsm, "AGG", 2, WAIT);
            js.publish("a", bytes("a2"));
            awaitCount(jsm, "AGG", 3, WAIT);
            Thread.sleep(200);
            assertEquals(3, jsm.getStreamInfo("AGG").getStreamState().getMsgCount()); // A was not taken again
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD") // 2.9.10 wants the origin to exist first
    void mirrorWaitsForItsOrigin(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("M").mirror(Mirror.builder().sourceName("LATER").build()).build());
            assertEquals(-1, jsm.getStreamInfo("M").getMirrorInfo().getActive().toNanos());
            jsm.addStream(StreamConfiguration.builder().name("LATER").subjects("later").build());
            c.jetStream().publish("later", bytes("x"));
            awaitCount(jsm, "M", 1, WAIT);
        }
    }
}
