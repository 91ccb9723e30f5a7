package io.jnatsd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.protocol.subject.MatchResult;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** The JMH benchmarks' setup and bodies run once and compute the right thing. */
class BenchmarksSmokeTest {
    private static Blackhole blackhole() {
        return new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    }

    @Test
    void parserBenchmarkParsesEveryFrame() {
        ClientParserBenchmark b = new ClientParserBenchmark();
        b.payloadSize = 16;
        b.setup(blackhole());
        assertEquals(ClientParserBenchmark.FRAMES, b.parsePub());
        assertEquals(2 * ClientParserBenchmark.FRAMES, b.parsePub());
        b.tearDown();
    }

    @Test
    void writerBenchmarkEncodesMsgAndHmsg() {
        MessageWriterBenchmark b = new MessageWriterBenchmark();
        b.payloadSize = 16;
        b.setup();
        String payload = "x".repeat(16);
        assertEquals("MSG orders.eu.created 42 16\r\n" + payload + "\r\n", b.encoded(false));
        String hdr = "NATS/1.0\r\nTrace-Id: 7f3a9c\r\n\r\n";
        assertEquals("HMSG orders.eu.created 42 _INBOX.k3Jd8sW2pQ1x.7 " + hdr.length() + " " + (hdr.length() + 16)
                + "\r\n" + hdr + payload + "\r\n", b.encoded(true));
        assertTrue(b.writeMsg() > 0 && b.writeHmsg() > 0);
        b.tearDown();
    }

    @Test
    void subjectIndexBenchmarksFindTheirSubscriptions() {
        SubjectIndexBenchmark b = new SubjectIndexBenchmark();
        SubjectIndexBenchmark.LiteralCached hit = new SubjectIndexBenchmark.LiteralCached();
        SubjectIndexBenchmark.LiteralUncached miss = new SubjectIndexBenchmark.LiteralUncached();
        SubjectIndexBenchmark.StarUncached star = new SubjectIndexBenchmark.StarUncached();
        SubjectIndexBenchmark.FullUncached full = new SubjectIndexBenchmark.FullUncached();
        for (SubjectIndexBenchmark.Base s : new SubjectIndexBenchmark.Base[] {hit, miss, star, full}) {
            s.subs = 1000;
            s.setup();
        }
        assertTrue(hit.index.isCacheEnabled());
        assertTrue(!miss.index.isCacheEnabled());
        MatchResult<Integer> r = b.literalHitCached(hit);
        assertEquals(1, r.total());
        assertEquals(1, b.literalMissUncached(miss).total());
        assertEquals(2, b.starUncached(star).total());
        assertEquals(2, b.fullWildcardUncached(full).total());
    }
}
