package io.jnatsd.server.jetstream.api;

import io.jnatsd.server.jetstream.cluster.Coordinator;
import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.consumer.Consumer;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamConfig;
import io.jnatsd.server.jetstream.stream.StreamConfigs;
import io.jnatsd.server.jetstream.stream.StreamStateJson;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamState;
import io.jnatsd.store.StreamStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code STREAM.SNAPSHOT} and {@code STREAM.RESTORE} with upstream's chunk protocol, which the
 * {@code nats} CLI ({@code stream backup}/{@code restore}) speaks; the official Java client does
 * not. A snapshot is answered with the stream's config and state, then sent in chunks to the
 * {@code deliver_subject}, each with a reply subject
 * {@code $JS.SNAPSHOT.ACK.<stream>.<id>.<size>.<index>} the receiver acknowledges, at most a
 * window of them unacknowledged, and ended by an empty {@code 204} status message. A restore is
 * answered with a {@code $JS.SNAPSHOT.RESTORE.<stream>.<id>} subject; the client sends the
 * chunks there as requests (each acknowledged with an empty reply) and an empty message last,
 * which is answered with the restored stream's info.
 *
 * <p>The bytes are jnatsd's own (a gzip'd sequence of messages with their sequences, times and
 * TTLs, see {@link #MAGIC}), not upstream's s2-compressed tar of its file store: a backup taken
 * from jnatsd restores into jnatsd, whatever its storage type. Consumers are not included yet.
 */
final class StreamSnapshots {
    static final byte[] MAGIC = "JNATSD-SNAPSHOT-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DEFAULT_CHUNK = 128 * 1024;
    private static final int DEFAULT_WINDOW = 8 * 1024 * 1024;
    private static final long ACK_TIMEOUT_SECONDS = 5;
    private static final long RESTORE_IDLE_MILLIS = 10_000;

    private final JsServer js;
    private final Coordinator coordinator;

    StreamSnapshots(JsServer js, Coordinator coordinator) {
        this.js = js;
        this.coordinator = coordinator;
    }

    // ---- snapshot ----

    /** Validates, answers with config and state through {@code reply}, then streams the chunks. */
    void snapshot(JsAccount ja, Stream s, byte[] body, Map<String, Object> resp, java.util.function.Consumer<Map<String, Object>> reply)
            throws ApiException {
        if (isEmpty(body)) throw ApiException.of("JSBadRequestErr");
        JsonNode req;
        try {
            req = JsJson.JSON.readTree(body);
        } catch (IOException e) {
            throw ApiRequest.invalidJson(e);
        }
        String deliver = req.path("deliver_subject").asText("");
        if (deliver.isEmpty() || !Subjects.isValidPublishSubject(deliver)) throw ApiException.of("JSSnapshotDeliverSubjectInvalidErr");
        int chunk = clamp(req.path("chunk_size").asInt(0) == 0 ? DEFAULT_CHUNK : req.path("chunk_size").asInt(), 1024, 1024 * 1024);
        int window = clamp(req.path("window_size").asInt(0) == 0 ? DEFAULT_WINDOW : req.path("window_size").asInt(), 1024, 32 * 1024 * 1024);
        int inFlight = Math.max(1, Math.max(window, chunk) / chunk);
        StreamState st = s.store().state();
        resp.put("config", s.config());
        resp.put("state", StreamStateJson.of(s, st, null, false));
        reply.accept(resp);
        String id = UUID.randomUUID().toString().replace("-", "");
        Thread.ofVirtual().name("snapshot-" + s.name()).start(() -> send(ja.account, s, deliver, id, chunk, inFlight, st.lastSeq()));
    }

    /** No body, or an empty JSON object, as upstream's isEmptyRequest. */
    private static boolean isEmpty(byte[] body) {
        if (body == null || body.length == 0) return true;
        String s = new String(body, StandardCharsets.UTF_8).replaceAll("\\s", "");
        return s.isEmpty() || s.equals("{}");
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Writes the snapshot through a chunking stream that waits for a window slot before each chunk. */
    private void send(Account account, Stream s, String deliver, String id, int chunkSize, int inFlight, long lastSeq) {
        InternalClient ic = js.internal();
        Semaphore slots = new Semaphore(inFlight);
        String ackSubject = "$JS.SNAPSHOT.ACK." + s.name() + "." + id;
        Subscription acks = ic.subscribe(account, ackSubject + ".>", null, (sub, m) -> slots.release());
        Chunks chunks = new Chunks(ic, account, deliver, ackSubject, chunkSize, slots);
        String status = null;
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(chunks, 64 * 1024))) {
            write(out, s, lastSeq);
        } catch (IOException | RuntimeException e) {
            status = e.getMessage() != null && e.getMessage().startsWith("408") ? e.getMessage() : "500 " + e.getMessage();
            js.log().warn("Snapshot of stream '%s > %s' failed: %s", account.name(), s.name(), e.getMessage());
        } finally {
            ic.unsubscribe(account, acks);
        }
        if (status == null && chunks.sent == 0) {
            ic.publish(account, deliver, null, null, new byte[0]);
        } else {
            String hdr = "NATS/1.0 " + (status == null ? "204" : status) + "\r\n\r\n";
            ic.publish(account, deliver, null, hdr.getBytes(StandardCharsets.UTF_8), new byte[0]);
        }
    }

    private static void write(DataOutputStream out, Stream s, long lastSeq) throws IOException {
        out.write(MAGIC);
        bytes(out, JsJson.JSON.writeValueAsBytes(s.config()));
        StreamStore store = s.store();
        StreamState st = store.state();
        out.writeLong(st.firstSeq());
        out.writeLong(lastSeq);
        long seq = st.firstSeq();
        while (seq <= lastSeq) {
            StoredMessage m = store.loadNext(null, seq);
            if (m == null || m.seq() > lastSeq) break;
            out.writeByte(1);
            out.writeLong(m.seq());
            out.writeLong(m.timestampNanos());
            out.writeLong(m.ttlNanos());
            bytes(out, m.subject().getBytes(StandardCharsets.UTF_8));
            bytes(out, m.headers());
            bytes(out, m.payload());
            seq = m.seq() + 1;
        }
        out.writeByte(0);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    /** Cuts what is written into chunks and publishes each once a window slot is free. */
    private static final class Chunks extends OutputStream {
        private final InternalClient ic;
        private final Account account;
        private final String deliver;
        private final String ackSubject;
        private final byte[] buf;
        private final Semaphore slots;
        private int len;
        private int index = 1;
        int sent;

        Chunks(InternalClient ic, Account account, String deliver, String ackSubject, int size, Semaphore slots) {
            this.ic = ic;
            this.account = account;
            this.deliver = deliver;
            this.ackSubject = ackSubject;
            this.buf = new byte[size];
            this.slots = slots;
        }

        @Override
        public void write(int b) throws IOException {
            if (len == buf.length) emit();
            buf[len++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int n) throws IOException {
            while (n > 0) {
                if (len == buf.length) emit();
                int k = Math.min(n, buf.length - len);
                System.arraycopy(b, off, buf, len, k);
                len += k;
                off += k;
                n -= k;
            }
        }

        @Override
        public void close() throws IOException {
            if (len > 0) emit();
        }

        private void emit() throws IOException {
            try {
                if (!slots.tryAcquire(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) throw new IOException("408 No Flow Response");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("500 interrupted");
            }
            byte[] chunk = Arrays.copyOf(buf, len);
            int receivers = ic.publish(account, deliver, ackSubject + "." + len + "." + index, null, chunk);
            if (receivers == 0) throw new IOException("408 No Interest");
            index++;
            sent++;
            len = 0;
        }
    }

    // ---- restore ----

    /** An open restore: chunks are appended to a temporary file until the empty last one. */
    private final class Restore {
        final JsAccount ja;
        final StreamConfig config;
        final Path file;
        final OutputStream out;
        volatile long lastActivity = System.currentTimeMillis();
        volatile boolean finished;
        Subscription sub;

        Restore(JsAccount ja, StreamConfig config) throws IOException {
            this.ja = ja;
            this.config = config;
            Files.createDirectories(js.root());
            this.file = Files.createTempFile(js.root(), "restore-" + config.name + "-", ".tmp");
            this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE));
        }

        void chunk(InternalClient.Msg m) {
            if (finished) return;
            lastActivity = System.currentTimeMillis();
            if (m.reply() == null) {
                abort("restore for stream '" + ja.account.name() + " > " + config.name + "' requires reply subject for each chunk", null);
                return;
            }
            if (m.payload().length == 0) {
                finished = true;
                js.internal().unsubscribe(ja.account, sub);
                Thread.ofVirtual().name("restore-" + config.name).start(() -> complete(m.reply()));
                return;
            }
            try {
                out.write(m.payload());
            } catch (IOException e) {
                abort(e.getMessage(), m.reply());
                return;
            }
            js.internal().publish(ja.account, m.reply(), null, null, new byte[0]);
        }

        void abort(String why, String reply) {
            finished = true;
            js.internal().unsubscribe(ja.account, sub);
            cleanup();
            js.log().warn("Restore of stream '%s > %s' failed: %s", ja.account.name(), config.name, why);
            if (reply != null) {
                Map<String, Object> resp = new LinkedHashMap<>();
                resp.put("type", "io.nats.jetstream.api.v1.stream_create_response");
                resp.put("error", ApiErrors.of("JSStreamRestoreErrF", "err", why));
                publishJson(ja.account, reply, resp);
            }
        }

        void cleanup() {
            try {
                out.close();
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left behind
            }
        }

        void complete(String reply) {
            Map<String, Object> resp = new LinkedHashMap<>();
            resp.put("type", "io.nats.jetstream.api.v1.stream_create_response");
            try {
                out.close();
                Stream s = importInto(this);
                resp.put("config", s.config());
                resp.put("created", GoTime.rfc3339Nano(s.created().getEpochSecond() * 1_000_000_000L + s.created().getNano()));
                resp.put("state", StreamStateJson.of(s));
                js.log().notice("Completed restore of stream '%s > %s'", ja.account.name(), config.name);
            } catch (ApiException e) {
                resp.put("error", e.error());
            } catch (IOException | RuntimeException e) {
                resp.put("error", ApiErrors.of("JSStreamRestoreErrF", "err", String.valueOf(e.getMessage())));
            } finally {
                cleanup();
            }
            publishJson(ja.account, reply, resp);
        }

        void watchIdle() {
            CompletableFuture.delayedExecutor(RESTORE_IDLE_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
                if (finished) return;
                if (System.currentTimeMillis() - lastActivity >= RESTORE_IDLE_MILLIS) {
                    abort("restore for stream '" + ja.account.name() + " > " + config.name + "' is stalled", null);
                } else {
                    watchIdle();
                }
            });
        }
    }

    /**
     * Validates a restore request ({@code {config, state}}), opens the chunk subject and answers
     * with it through {@code reply}. {@code check} runs the create checks (overlap, sources, limits).
     */
    void restore(JsAccount ja, String name, byte[] body, Map<String, Object> resp, java.util.function.Consumer<Map<String, Object>> reply,
                 CreateCheck check) throws ApiException {
        if (isEmpty(body)) throw ApiException.of("JSBadRequestErr");
        StreamConfig c;
        try {
            JsonNode req = JsJson.JSON.readTree(body);
            c = JsJson.JSON.treeToValue(req.path("config"), StreamConfig.class);
        } catch (IOException e) {
            throw ApiRequest.invalidJson(e);
        }
        if (c == null) c = new StreamConfig();
        if (c.name == null || c.name.isEmpty()) c.name = name;
        if (!c.name.equals(name)) throw ApiException.of("JSStreamMismatchErr");
        if (name.contains("/") || name.contains("\\")) throw ApiException.of("JSStreamNameContainsPathSeparatorsErr");
        ApiError invalid = StreamConfigs.normalize(c);
        if (invalid != null) throw new ApiException(invalid);
        synchronized (ja) {
            if (ja.streams.containsKey(c.name)) throw ApiException.of("JSStreamNameExistRestoreFailedErr");
            check.check(ja, c);
        }
        Restore r;
        try {
            r = new Restore(ja, c);
        } catch (IOException e) {
            throw ApiException.of("JSStreamRestoreErrF", "err", e.getMessage());
        }
        String subject = "$JS.SNAPSHOT.RESTORE." + c.name + "." + UUID.randomUUID().toString().replace("-", "");
        r.sub = js.internal().subscribe(ja.account, subject, null, (sub, m) -> r.chunk(m));
        r.watchIdle();
        resp.put("deliver_subject", subject);
        reply.accept(resp);
    }

    /** The create checks a restored stream must pass, as StreamApi runs them. */
    interface CreateCheck {
        void check(JsAccount ja, StreamConfig c) throws ApiException;
    }

    /** Reads the snapshot into a new store, through the coordinator, which opens the stream on it. */
    private Stream importInto(Restore r) throws IOException, ApiException {
        return coordinator.restoreStream(r.ja, r.config, store -> {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(r.file));
                 DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 64 * 1024))) {
                byte[] magic = in.readNBytes(MAGIC.length);
                if (!Arrays.equals(magic, MAGIC)) throw new IOException("not a jnatsd stream snapshot");
                readBytes(in); // the config at snapshot time; the request's config is the one restored
                long firstSeq = in.readLong();
                long lastSeq = in.readLong();
                boolean first = true;
                while (in.readByte() == 1) {
                    long seq = in.readLong();
                    long ts = in.readLong();
                    long ttl = in.readLong();
                    String subject = new String(readBytes(in), StandardCharsets.UTF_8);
                    byte[] headers = readBytes(in);
                    byte[] payload = readBytes(in);
                    if (first && seq > 1) store.compact(seq);
                    first = false;
                    store.storeRaw(subject, headers, payload == null ? new byte[0] : payload, seq, ts, ttl);
                }
                if (first && lastSeq > 0) store.compact(Math.max(firstSeq, lastSeq + 1));
            } catch (EOFException e) {
                throw new IOException("snapshot is cut short");
            }
        });
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        return in.readNBytes(n);
    }

    private void publishJson(Account account, String subject, Map<String, Object> body) {
        try {
            js.internal().publish(account, subject, null, null, JsJson.JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            js.log().error("JetStream restore response could not be written: %s", e.getMessage());
        }
    }
}
