package io.jnatsd.server.jetstream.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The one-pass read of a message's JetStream headers finds what the per-header scan finds. */
class JsHeadersTest {
    private static final List<String> NAMES = List.of("Nats-Msg-Id", "Nats-Expected-Stream", "Nats-Expected-Last-Sequence",
            "Nats-Expected-Last-Subject-Sequence", "Nats-Expected-Last-Msg-Id", "Nats-Rollup", "Nats-TTL",
            "Nats-Expected-Last-Subject-Sequence-Subject", "Nats-Incr", "Nats-Batch-Id", "Nats-Batch-Sequence", "Nats-Batch-Commit");
    private static final List<Function<JsHeaders, String>> VALUES = List.of(JsHeaders::msgId, JsHeaders::expectedStream,
            JsHeaders::expectedLastSequence, JsHeaders::expectedLastSubjectSequence, JsHeaders::expectedLastMsgId,
            JsHeaders::rollup, JsHeaders::ttl, JsHeaders::expectedLastSubjectSequenceSubject, JsHeaders::incr,
            JsHeaders::batchId, JsHeaders::batchSequence, JsHeaders::batchCommit);

    @Test
    void readsEveryJetStreamHeaderAsTheScanDoes() {
        List<String> blocks = List.of(
                "NATS/1.0\r\nNats-Msg-Id: abc\r\nNats-Expected-Stream: S\r\nNats-Expected-Last-Sequence: 4\r\n"
                        + "Nats-Expected-Last-Subject-Sequence: 2\r\nNats-Expected-Last-Msg-Id: prev\r\nNats-Rollup: sub\r\n"
                        + "Nats-TTL: 5s\r\nNats-Expected-Last-Subject-Sequence-Subject: a.*\r\nNats-Incr: -3\r\n"
                        + "Nats-Batch-Id: b\r\nNats-Batch-Sequence: 2\r\nNats-Batch-Commit: eob\r\n\r\n",
                "NATS/1.0\r\nnats-msg-id:  spaced  \r\nNATS-ROLLUP:all\r\n\r\n",
                "NATS/1.0\r\nNats-Msg-Id: first\r\nNats-Msg-Id: second\r\n\r\n",
                "NATS/1.0\r\nX-Other: 1\r\nNats-Msg-Idx: no\r\nNats-TTL: a:b\r\n\r\n",
                "NATS/1.0\r\nNo colon here\r\nNats-Msg-Id: after\r\n\r\n",
                "NATS/1.0\r\n\r\nNats-Msg-Id: past the end\r\n\r\n",
                "NATS/1.0\r\n Nats-Msg-Id : padded name\r\n\r\n",
                "NATS/1.0 503\r\n\r\n",
                "NATS/1.0\r\nNats-Msg-Id: no final blank line");
        for (String block : blocks) {
            byte[] b = block.getBytes(StandardCharsets.UTF_8);
            JsHeaders h = JsHeaders.parse(b);
            for (int i = 0; i < NAMES.size(); i++) {
                assertEquals(Headers.get(b, NAMES.get(i)), VALUES.get(i).apply(h), NAMES.get(i) + " in " + block);
            }
        }
    }

    @Test
    void scheduleHeadersAreNotedForTheSchedulesToRead() {
        for (String name : List.of("Nats-Schedule", "Nats-Schedule-Target", "nats-scheduler", "Nats-Schedule-Next")) {
            JsHeaders h = JsHeaders.parse(("NATS/1.0\r\n" + name + ": x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            assertEquals(true, h.hasScheduling(), name);
        }
        assertEquals(false, JsHeaders.parse("NATS/1.0\r\nNats-Msg-Id: a\r\nNats-Sched: x\r\n\r\n".getBytes(StandardCharsets.UTF_8))
                .hasScheduling());
    }

    @Test
    void aMessageWithoutJetStreamHeadersSharesOneEmptyView() {
        assertSame(JsHeaders.NONE, JsHeaders.parse(null));
        assertSame(JsHeaders.NONE, JsHeaders.parse("NATS/1.0\r\nX-Trace: 1\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
        assertNull(JsHeaders.NONE.msgId());
        assertEquals("v", JsHeaders.parse("NATS/1.0\r\nNats-Msg-Id: v\r\n\r\n".getBytes(StandardCharsets.UTF_8)).msgId());
    }
}
