package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull requests, push flow control, heartbeats, acks and status messages on a raw socket, the
 * same script against upstream and jnatsd: the deliveries (subject, ack reply with its timestamp
 * masked, headers, payload) and the status header blocks must be byte for byte the same.
 */
class JetStreamConsumerProtocolTest {
    @TempDir
    Path dir;

    /** One received MSG/HMSG: where it went, its reply, its header block and payload. */
    private record Frame(String subject, String reply, String headers, String payload) {
        @Override
        public String toString() {
            String p = payload.length() > 40 ? "<" + payload.length() + " bytes>" : payload;
            return subject + " " + reply + " [" + headers.replace("\r\n", "\\r\\n") + "] " + p;
        }

        boolean isHeartbeat() {
            return headers.startsWith("NATS/1.0 100 Idle Heartbeat");
        }
    }

    private static final class Session implements AutoCloseable {
        private final RawClient raw;

        Session(TestServer s) throws IOException {
            raw = s.raw();
            raw.connect("\"headers\":true,\"no_responders\":true");
            raw.send("SUB in.> 1\r\nSUB _R 2\r\nSUB ackr.> 3\r\nSUB dl.p1 4\r\n");
            raw.untilPong();
        }

        void pub(String subject, String reply, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            raw.send("PUB " + subject + (reply == null ? "" : " " + reply) + " " + b.length + "\r\n" + body + "\r\n");
        }

        /** Publishes a request to _R and returns its answer's payload. */
        String request(String subject, String body) throws IOException {
            pub(subject, "_R", body);
            return next(5000).payload();
        }

        Frame next(int timeoutMillis) throws IOException {
            raw.setTimeout(timeoutMillis);
            while (true) {
                String line = raw.readLine();
                if (line == null) throw new IOException("closed");
                if (line.equals("PING")) {
                    raw.send("PONG\r\n");
                    continue;
                }
                if (line.equals("PONG") || line.equals("+OK")) continue;
                String[] t = line.trim().split("\\s+");
                if (t[0].equals("MSG")) {
                    int n = Integer.parseInt(t[t.length - 1]);
                    String payload = new String(raw.readBytes(n + 2), StandardCharsets.UTF_8);
                    return new Frame(t[1], t.length == 5 ? t[3] : "", "", payload.substring(0, n));
                }
                if (t[0].equals("HMSG")) {
                    int h = Integer.parseInt(t[t.length - 2]);
                    int n = Integer.parseInt(t[t.length - 1]);
                    String all = new String(raw.readBytes(n + 2), StandardCharsets.UTF_8);
                    return new Frame(t[1], t.length == 6 ? t[3] : "", all.substring(0, h), all.substring(h, n));
                }
                throw new IOException("unexpected " + line);
            }
        }

        /**
         * Frames up to and including the first idle heartbeat that does ({@code stalled}) or does
         * not report a stall; other heartbeats (timing on a busy machine) are left out.
         */
        List<Frame> untilHeartbeat(boolean stalled) throws IOException {
            List<Frame> out = new ArrayList<>();
            while (true) {
                Frame f = next(5000);
                if (!f.isHeartbeat()) {
                    out.add(f);
                } else if (f.headers().contains("Nats-Consumer-Stalled") == stalled) {
                    out.add(f);
                    return out;
                }
            }
        }

        /** At least {@code expected} frames, then everything more that arrives within 50 ms of the last. */
        List<Frame> drain(int expected) throws IOException {
            List<Frame> out = new ArrayList<>();
            while (true) {
                try {
                    out.add(next(out.size() < expected ? 5000 : 50));
                } catch (SocketTimeoutException e) {
                    return out;
                }
            }
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }

    /** Runs the script, returning what was received, step by step, with timestamps masked. */
    private List<String> script(Impl impl) throws Exception {
        Path store = Files.createTempDirectory(dir, impl.name().toLowerCase());
        List<String> log = new ArrayList<>();
        Map<String, String> acks = new ConcurrentHashMap<>();
        try (TestServer s = TestServer.start(impl, "jetstream { store_dir: \"" + store + "\" }"); Session c = new Session(s)) {
            c.request("$JS.API.STREAM.CREATE.P", "{\"name\":\"P\",\"subjects\":[\"p.>\"]}");
            for (int i = 0; i < 4; i++) c.request("p." + (i == 3 ? "b" : "a"), "m" + i);
            c.request("$JS.API.CONSUMER.CREATE.P.c1",
                    "{\"stream_name\":\"P\",\"config\":{\"durable_name\":\"c1\",\"ack_policy\":\"explicit\",\"max_waiting\":1}}");
            step(c, log, acks, "batch 2 no_wait", "c1", "in.1", "{\"batch\":2,\"no_wait\":true}", 2);
            step(c, log, acks, "batch 5 no_wait, 2 left", "c1", "in.2", "{\"batch\":5,\"no_wait\":true}", 3);
            step(c, log, acks, "nothing left, no_wait", "c1", "in.3", "{\"batch\":5,\"no_wait\":true}", 1);
            step(c, log, acks, "expires 200ms", "c1", "in.4", "{\"batch\":5,\"expires\":200000000}", 1);
            c.pub(acks.get("m0"), "ackr.1", "+ACK");
            c.pub(acks.get("m1"), "ackr.2", "-NAK");
            log.add("ack+nak: " + c.drain(2));
            step(c, log, acks, "redelivery after nak", "c1", "in.5", "{\"batch\":1,\"expires\":1000000000}", 1);
            c.pub("$JS.API.CONSUMER.MSG.NEXT.P.c1", "in.6", "{\"batch\":5,\"expires\":2000000000}");
            step(c, log, acks, "max waiting", "c1", "in.7", "{\"batch\":5,\"expires\":2000000000}", 1);
            c.pub("$JS.API.CONSUMER.DELETE.P.c1", "_R", "");
            log.add("deleted: " + c.drain(2).stream().map(Frame::toString).sorted().toList());
            c.request("$JS.API.CONSUMER.CREATE.P.c2", "{\"stream_name\":\"P\",\"config\":{\"durable_name\":\"c2\",\"ack_policy\":\"explicit\"}}");
            step(c, log, acks, "max bytes", "c2", "in.8", "{\"batch\":5,\"max_bytes\":60}", 2);
            step(c, log, acks, "max bytes too small", "c2", "in.9", "{\"batch\":5,\"max_bytes\":20}", 1);
            step(c, log, acks, "heartbeat too large", "c2", "in.10", "{\"batch\":5,\"expires\":1000000,\"idle_heartbeat\":500000000}", 1);
            step(c, log, acks, "batch as a number", "c2", "in.11", "2", 2);
            step(c, log, acks, "heartbeats", "c2", "in.12", "{\"batch\":5,\"expires\":1000000000,\"idle_heartbeat\":400000000}", 4);
            c.request("$JS.API.CONSUMER.CREATE.P.c3", "{\"stream_name\":\"P\",\"config\":{\"durable_name\":\"c3\",\"deliver_subject\":\"nobody\"}}");
            step(c, log, acks, "push based", "c3", "in.13", "", 1);
        }
        return log;
    }

    private static void step(Session c, List<String> log, Map<String, String> acks, String what, String consumer,
                             String inbox, String body, int expected) throws IOException {
        c.pub("$JS.API.CONSUMER.MSG.NEXT.P." + consumer, inbox, body);
        List<String> got = new ArrayList<>();
        for (Frame f : c.drain(expected)) {
            if (f.reply().startsWith("$JS.ACK.")) acks.putIfAbsent(f.payload(), f.reply());
            // the 8th token of the ack reply is the message's timestamp
            got.add(f.toString().replaceAll("(\\$JS\\.ACK(\\.[^. ]+){5})\\.\\d+", "$1.<ts>"));
        }
        log.add(what + ": " + got);
    }

    @Test
    void pullStatusesMatchUpstream() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "upstream nats-server is not installed");
        List<String> upstream = script(Impl.UPSTREAM);
        List<String> ours = script(Impl.JNATSD);
        assertEquals(String.join("\n", upstream), String.join("\n", ours));
        assertEquals(14, ours.size());
    }

    /** Push: deliveries, a flow control request, the stall, heartbeats with and without it. */
    private List<String> pushScript(Impl impl) throws Exception {
        Path store = Files.createTempDirectory(dir, impl.name().toLowerCase());
        List<String> log = new ArrayList<>();
        try (TestServer s = TestServer.start(impl, "jetstream { store_dir: \"" + store + "\" }"); Session c = new Session(s)) {
            c.request("$JS.API.STREAM.CREATE.R", "{\"name\":\"R\",\"subjects\":[\"r.>\"]}");
            c.request("r.a", "m0");
            c.raw.send("HPUB r.h _R 22 27\r\nNATS/1.0\r\nFoo: bar\r\n\r\nhello\r\n");
            c.next(5000);
            c.pub("$JS.API.CONSUMER.CREATE.R.p1", "_R", "{\"stream_name\":\"R\",\"config\":{\"name\":\"p1\","
                    + "\"deliver_subject\":\"dl.p1\",\"flow_control\":true,\"idle_heartbeat\":400000000,\"ack_policy\":\"none\"}}");
            List<Frame> created = new ArrayList<>(c.drain(3));
            created.removeIf(f -> f.subject().equals("_R")); // upstream may deliver before it answers
            log.add("created: " + mask(created));
            String big = "x".repeat(100_000);
            for (int i = 0; i < 20; i++) c.pub("r.big", "_R", big);
            List<Frame> burst = new ArrayList<>(c.untilHeartbeat(true));
            burst.removeIf(f -> f.subject().equals("_R")); // the publish acks, interleaved as it happens
            // how many were stored when each was delivered depends on timing: mask the pending count
            burst.replaceAll(f -> f.reply().startsWith("$JS.ACK.")
                    ? new Frame(f.subject(), f.reply().replaceAll("\\.\\d+$", ".<n>"), f.headers(), f.payload()) : f);
            String fc = null;
            for (Frame f : burst) if (f.headers().startsWith("NATS/1.0 100 FlowControl Request")) fc = f.reply();
            log.add("burst: " + mask(burst).stream().map(x -> x.replaceAll("\\$JS\\.FC\\.R\\.p1\\.\\w{4}", "<fc>")).toList());
            c.pub(fc, null, "");
            log.add("after the flow control reply: "
                    + mask(c.untilHeartbeat(false)).stream().map(x -> x.replaceAll("\\$JS\\.FC\\.R\\.p1\\.\\w{4}", "<fc>")).toList());
        }
        return log;
    }

    private static List<String> mask(List<Frame> frames) {
        List<String> out = new ArrayList<>();
        for (Frame f : frames) out.add(f.toString().replaceAll("(\\$JS\\.ACK(\\.[^. ]+){5})\\.\\d+", "$1.<ts>"));
        return out;
    }

    @Test
    void pushFlowControlAndHeartbeatsMatchUpstream() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "upstream nats-server is not installed");
        List<String> upstream = pushScript(Impl.UPSTREAM);
        List<String> ours = pushScript(Impl.JNATSD);
        assertEquals(String.join("\n", upstream), String.join("\n", ours));
    }
}
