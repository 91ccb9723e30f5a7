package io.jnatsd.server.jetstream.api;

import io.jnatsd.server.jetstream.cluster.Coordinator;
import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.JsLimits;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamConfig;
import io.jnatsd.server.jetstream.stream.StreamConfigs;
import io.jnatsd.server.jetstream.stream.StreamSourcing;
import io.jnatsd.server.jetstream.stream.StreamStateJson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stream side of the JetStream API ({@code $JS.API.INFO}, {@code STREAM.*}, {@code DIRECT.GET}),
 * answering with upstream's JSON shapes and error codes. Runs on the JetStream API thread, so
 * creates, updates and deletes never race each other.
 */
public final class StreamApi {
    private static final String PREFIX = "$JS.API.";
    private static final String TYPE = "io.nats.jetstream.api.v1.";
    private static final int NAMES_LIMIT = 1024;
    private static final int LIST_LIMIT = 256;

    private final JsServer js;
    private final Coordinator coordinator;
    private final ConsumerApi consumerApi;
    private final DirectGet directGet;
    private final StreamSnapshots snapshots;

    public StreamApi(JsServer js, Coordinator coordinator, ConsumerApi consumerApi) {
        this.js = js;
        this.coordinator = coordinator;
        this.consumerApi = consumerApi;
        this.directGet = new DirectGet(js);
        this.snapshots = new StreamSnapshots(js, coordinator);
        coordinator.onStreamCreated(this::created);
    }

    /** The answer to a create request, sent by the stream's first leader when the cluster placed it. */
    private void created(JsAccount ja, Stream s, String reply) {
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("type", TYPE + "stream_create_response");
        streamInfo(s, false, null, resp);
        resp.put("did_create", true);
        String subject = PREFIX + "STREAM.CREATE." + s.name();
        ApiResponses.send(js, ja.account, subject, new InternalClient.Msg(subject, reply, null, new byte[0], null), resp);
    }

    public void handle(Account account, String subject, InternalClient.Msg msg) {
        if (msg.reply() == null || !subject.startsWith(PREFIX)) return;
        String op = subject.substring(PREFIX.length());
        String[] t = op.split("\\.");
        if (!coordinator.answers(account.name(), ApiScope.changesStreams(t), ApiScope.stream(t))) return;
        if (t[0].equals("CONSUMER")) {
            consumerApi.handle(account, subject, t, msg);
            return;
        }
        String type = responseType(t);
        if (type == null) return; // not ours
        JsAccount ja = js.account(account);
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("type", TYPE + type);
        if (ja == null) {
            resp.put("error", ApiErrors.of("JSNotEnabledForAccountErr"));
        } else {
            ja.apiTotal.incrementAndGet();
            try {
                if (t[0].equals("DIRECT")) {
                    directGet(ja, t, msg);
                    return;
                }
                if (t[0].equals("STREAM") && t[1].equals("SNAPSHOT")) {
                    snapshots.snapshot(ja, stream(ja, t[2]), msg.payload(), resp, r -> ApiResponses.send(js, account, subject, msg, r));
                    return;
                }
                if (t[0].equals("STREAM") && t[1].equals("RESTORE")) {
                    snapshots.restore(ja, t[2], msg.payload(), resp, r -> ApiResponses.send(js, account, subject, msg, r), (a, c) -> {
                        checkOverlap(a, c);
                        checkWithStreamsAndLimits(a, c, null);
                    });
                    return;
                }
                if (!dispatch(ja, t, msg, resp)) return; // answered by whoever starts the stream
            } catch (ApiException e) {
                ja.apiErrors.incrementAndGet();
                resp.keySet().retainAll(List.of("type"));
                resp.put("error", e.error());
                if (type.equals("stream_info_response")) {
                    resp.put("total", 0);
                    resp.put("offset", 0);
                    resp.put("limit", 0);
                }
            } catch (RuntimeException e) {
                // a bug or a store failure: the requester still gets an answer
                js.log().error("JetStream API request on %s failed: %s", subject, e);
                ja.apiErrors.incrementAndGet();
                resp.keySet().retainAll(List.of("type"));
                resp.put("error", ApiErrors.of("JSStreamGeneralErrorF", "err", String.valueOf(e.getMessage())));
            }
        }
        ApiResponses.send(js, account, subject, msg, resp);
    }

    private static String responseType(String[] t) {
        if (t.length == 1 && t[0].equals("INFO")) return "account_info_response";
        if (t.length >= 3 && t[0].equals("DIRECT") && t[1].equals("GET")) return "stream_msg_get_response";
        if (t.length < 2 || !t[0].equals("STREAM")) return null;
        return switch (t[1]) {
            case "CREATE" -> t.length == 3 ? "stream_create_response" : null;
            case "UPDATE" -> t.length == 3 ? "stream_update_response" : null;
            case "INFO" -> t.length == 3 ? "stream_info_response" : null;
            case "DELETE" -> t.length == 3 ? "stream_delete_response" : null;
            case "PURGE" -> t.length == 3 ? "stream_purge_response" : null;
            case "SNAPSHOT" -> t.length == 3 ? "stream_snapshot_response" : null;
            case "RESTORE" -> t.length == 3 ? "stream_restore_response" : null;
            case "NAMES" -> t.length == 2 ? "stream_names_response" : null;
            case "LIST" -> t.length == 2 ? "stream_list_response" : null;
            case "LEADER" -> t.length == 4 && t[2].equals("STEPDOWN") ? "stream_leader_stepdown_response" : null;
            case "MSG" -> t.length == 4 && t[2].equals("GET") ? "stream_msg_get_response"
                    : t.length == 4 && t[2].equals("DELETE") ? "stream_msg_delete_response" : null;
            default -> null;
        };
    }

    /** Handles the request; false when the answer is not this server's to send now. */
    private boolean dispatch(JsAccount ja, String[] t, InternalClient.Msg msg, Map<String, Object> resp) throws ApiException {
        if (t[0].equals("INFO")) {
            accountInfo(ja, resp);
            return true;
        }
        byte[] body = msg.payload();
        switch (t[1]) {
            case "CREATE" -> {
                return create(ja, t[2], body, msg.reply(), resp);
            }
            case "UPDATE" -> update(ja, t[2], body, resp);
            case "INFO" -> info(stream(ja, t[2]), body, resp);
            case "DELETE" -> delete(ja, t[2], resp);
            case "PURGE" -> purge(stream(ja, t[2]), body, resp);
            case "NAMES" -> names(ja, body, resp);
            case "LIST" -> list(ja, body, resp);
            case "LEADER" -> {
                coordinator.stepDownStream(ja, t[3]);
                resp.put("success", true);
            }
            default -> {
                if (t[2].equals("GET")) msgGet(ja, t[3], body, resp);
                else msgDelete(stream(ja, t[3]), body, resp);
            }
        }
        return true;
    }

    // ---- account ----

    private void accountInfo(JsAccount ja, Map<String, Object> resp) {
        int consumers = 0;
        synchronized (ja) {
            for (Stream s : ja.streams.values()) consumers += s.consumers().size();
        }
        JsLimits.accountInfo(js, ja, consumers, resp);
    }

    // ---- create, update, delete ----

    /** False when the stream's first leader answers, later. */
    private boolean create(JsAccount ja, String name, byte[] body, String reply, Map<String, Object> resp) throws ApiException {
        StreamConfig c = parseConfig(name, body);
        ApiError invalid = StreamConfigs.normalize(c, coordinator.clustered());
        if (invalid == null) invalid = StreamConfigs.checkCreate(c);
        if (invalid != null) throw new ApiException(invalid);
        synchronized (ja) {
            Coordinator.Known existing = coordinator.stream(ja, c.name);
            if (existing != null) {
                if (!sameConfig(existing.config(), c)) throw ApiException.of("JSStreamNameExistErr");
                knownInfo(existing, resp);
                resp.put("did_create", false);
                return true;
            }
            checkOverlap(ja, c);
            checkWithStreamsAndLimits(ja, c, null);
            Stream s = coordinator.createStream(ja, c, reply);
            if (s == null) return false;
            streamInfo(s, false, null, resp);
            resp.put("did_create", true);
            return true;
        }
    }

    private void update(JsAccount ja, String name, byte[] body, Map<String, Object> resp) throws ApiException {
        StreamConfig c = parseConfig(name, body);
        ApiError invalid = StreamConfigs.normalize(c, coordinator.clustered());
        if (invalid != null) throw new ApiException(invalid);
        synchronized (ja) {
            Coordinator.Known known = coordinator.stream(ja, c.name);
            if (known == null) throw ApiException.of("JSStreamNotFoundErr");
            StreamConfig old = known.config();
            ApiError refused = StreamConfigs.checkUpdate(old, c);
            if (refused != null) throw new ApiException(refused);
            if (c.mirror != null && !sameJson(c.mirror, old.mirror)) throw ApiException.of("JSStreamMirrorNotUpdatableErr");
            checkOverlap(ja, c);
            checkWithStreamsAndLimits(ja, c, known.local());
            coordinator.updateStream(ja, c.name, c);
            knownInfo(coordinator.stream(ja, c.name), resp);
        }
    }

    private void delete(JsAccount ja, String name, Map<String, Object> resp) throws ApiException {
        coordinator.deleteStream(ja, name);
        resp.put("success", true);
    }

    /** No other stream of the account (cluster-wide) may take any of {@code c}'s subjects. */
    private void checkOverlap(JsAccount ja, StreamConfig c) throws ApiException {
        for (Coordinator.Known other : coordinator.streams(ja)) {
            if (other.config().name.equals(c.name)) continue;
            for (String a : other.config().subjects) {
                for (String b : c.subjects) {
                    if (Subjects.subjectsCollide(a, b)) throw ApiException.of("JSStreamSubjectOverlapErr");
                }
            }
        }
    }

    private void checkWithStreamsAndLimits(JsAccount ja, StreamConfig c, Stream existing) throws ApiException {
        ApiError e = StreamSourcing.checkWithStreams(ja, c);
        if (e == null) e = JsLimits.checkStream(js, ja, c, existing);
        if (e != null) throw new ApiException(e);
    }

    private static boolean sameJson(Object a, Object b) {
        try {
            return JsJson.JSON.writeValueAsString(a).equals(JsJson.JSON.writeValueAsString(b));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static boolean sameConfig(StreamConfig a, StreamConfig b) {
        return sameJson(a, b);
    }

    private static StreamConfig parseConfig(String nameInSubject, byte[] body) throws ApiException {
        StreamConfig c;
        try {
            c = body.length == 0 ? null : JsJson.JSON.readValue(body, StreamConfig.class);
        } catch (IOException e) {
            throw ApiRequest.invalidJson(e);
        }
        if (c == null) throw ApiRequest.invalidJson("unexpected end of JSON input");
        if (c.name == null || c.name.isEmpty()) c.name = nameInSubject;
        if (!c.name.equals(nameInSubject)) throw ApiException.of("JSStreamMismatchErr");
        return c;
    }

    private static Stream stream(JsAccount ja, String name) throws ApiException {
        Stream s = ja.stream(name);
        if (s == null) throw ApiException.of("JSStreamNotFoundErr");
        return s;
    }

    // ---- info, names, list ----

    private void info(Stream s, byte[] body, Map<String, Object> resp) throws ApiException {
        ApiRequest req = ApiRequest.parse(body, "JSApiStreamInfoRequest");
        boolean deletedDetails = req.bool("deleted_details");
        String subjectsFilter = req.string("subjects_filter");
        resp.put("total", 0);
        resp.put("offset", 0);
        resp.put("limit", 0);
        streamInfo(s, deletedDetails, subjectsFilter, resp);
    }

    private void names(JsAccount ja, byte[] body, Map<String, Object> resp) throws ApiException {
        ApiRequest req = ApiRequest.parse(body, "JSApiStreamNamesRequest");
        int offset = Math.max(0, req.integer("offset"));
        String filter = req.string("subject");
        List<Coordinator.Known> all = matching(ja, filter);
        List<String> page = new ArrayList<>();
        for (int i = offset; i < all.size() && page.size() < NAMES_LIMIT; i++) page.add(all.get(i).config().name);
        resp.put("total", all.size());
        resp.put("offset", offset);
        resp.put("limit", NAMES_LIMIT);
        resp.put("streams", page.isEmpty() ? null : page);
    }

    private void list(JsAccount ja, byte[] body, Map<String, Object> resp) throws ApiException {
        ApiRequest req = ApiRequest.parse(body, "JSApiStreamListRequest");
        int offset = Math.max(0, req.integer("offset"));
        String filter = req.string("subject");
        List<Coordinator.Known> all = matching(ja, filter);
        List<Map<String, Object>> page = new ArrayList<>();
        for (int i = offset; i < all.size() && page.size() < LIST_LIMIT; i++) {
            Map<String, Object> one = new LinkedHashMap<>();
            knownInfo(all.get(i), one);
            page.add(one);
        }
        resp.put("total", all.size());
        resp.put("offset", offset);
        resp.put("limit", LIST_LIMIT);
        resp.put("streams", page);
    }

    private List<Coordinator.Known> matching(JsAccount ja, String subjectFilter) {
        List<Coordinator.Known> out = new ArrayList<>();
        for (Coordinator.Known k : coordinator.streams(ja)) {
            if (subjectFilter == null || k.config().subjects.stream().anyMatch(x -> Subjects.subjectsCollide(x, subjectFilter))) {
                out.add(k);
            }
        }
        return out;
    }

    /**
     * Stream info for a stream this server may not hold: its replica's info when it has one, else
     * the config and creation time the cluster assigned, with an empty state (the meta leader
     * answering a list, an update or a repeated create for a stream placed elsewhere).
     */
    private void knownInfo(Coordinator.Known k, Map<String, Object> out) {
        if (k.local() != null) {
            streamInfo(k.local(), false, null, out);
            out.put("config", k.config()); // the cluster's: a replica applies an update a moment later
            return;
        }
        out.put("config", k.config());
        out.put("created", k.created().toString());
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("messages", 0);
        state.put("bytes", 0);
        state.put("first_seq", 0);
        state.put("first_ts", "0001-01-01T00:00:00Z");
        state.put("last_seq", 0);
        state.put("last_ts", "0001-01-01T00:00:00Z");
        state.put("consumer_count", 0);
        out.put("state", state);
    }

    private void streamInfo(Stream s, boolean deletedDetails, String subjectsFilter, Map<String, Object> out) {
        out.put("config", s.config());
        out.put("created", s.created().toString());
        StreamState st = s.store().state(deletedDetails);
        Map<String, Long> subjects = subjectsFilter == null || subjectsFilter.isEmpty() ? null
                : s.store().subjectsState(subjectsFilter);
        Map<String, Object> state = StreamStateJson.of(s, st, subjects, deletedDetails);
        out.put("state", state);
        Map<String, Object> cluster = coordinator.clusterInfo(s);
        if (cluster != null) out.put("cluster", cluster);
        StreamSourcing.info(s, out);
        if (js.domain() != null && !js.domain().isEmpty()) out.put("domain", js.domain());
    }

    private static String time(long epochNanos) {
        return GoTime.rfc3339Nano(epochNanos);
    }

    // ---- purge, get, delete ----

    private void purge(Stream s, byte[] body, Map<String, Object> resp) throws ApiException {
        if (s.config().denyPurge) throw ApiException.of("JSStreamPurgeFailedF", "err", "stream purge not permitted");
        if (s.config().sealed) throw ApiException.of("JSStreamSealedErr");
        ApiRequest req = ApiRequest.parse(body, "JSApiStreamPurgeRequest");
        long purged;
        if (!req.present()) {
            purged = coordinator.purgeStream(s, null, 0, 0);
        } else {
            String filter = req.string("filter");
            long seq = req.uint64("seq");
            long keep = req.uint64("keep");
            if (seq > 0 && keep > 0) throw ApiException.of("JSBadRequestErr");
            purged = coordinator.purgeStream(s, filter, seq, keep);
        }
        resp.put("success", true);
        resp.put("purged", purged);
    }

    /**
     * STREAM.MSG.GET: the request is checked before the stream is looked up, as upstream does;
     * {@code start_time} finds the first message stored at or after it (with {@code next_by_subj},
     * the first such message on those subjects) and {@code no_hdr} leaves the headers out.
     */
    private void msgGet(JsAccount ja, String name, byte[] body, Map<String, Object> resp) throws ApiException {
        ApiRequest req = requiredJson(body, "JSApiMsgGetRequest");
        long seq = req.uint64("seq");
        String last = req.string("last_by_subj");
        String next = req.string("next_by_subj");
        Long startTime = req.time("start_time");
        boolean noHeaders = req.bool("no_hdr");
        // batches are DIRECT.GET's; this API answers with one message
        if (req.integer("batch") > 0 || req.integer("max_bytes") > 0) throw ApiException.of("JSBadRequestErr");
        if ((seq > 0 && last != null) || (seq == 0 && last == null && next == null && startTime == null)
                || (seq > 0 && startTime != null) || (startTime != null && last != null) || (last != null && next != null)) {
            throw ApiException.of("JSBadRequestErr");
        }
        Stream s = stream(ja, name);
        if (startTime != null) seq = Stream.seqForTime(s.store(), startTime);
        StoredMessage m;
        if (seq > 0 && next == null) m = s.store().load(seq);
        else if (next != null) m = s.store().loadNext(next, Math.max(seq, 1));
        else m = s.store().loadLast(last);
        if (m == null) throw ApiException.of("JSNoMessageFoundErr");
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("subject", m.subject());
        message.put("seq", m.seq());
        if (!noHeaders && m.headers() != null && m.headers().length > 0) {
            message.put("hdrs", Base64.getEncoder().encodeToString(m.headers()));
        }
        if (m.payload().length > 0) message.put("data", Base64.getEncoder().encodeToString(m.payload()));
        message.put("time", time(m.timestampNanos()));
        resp.put("message", message);
    }

    private void msgDelete(Stream s, byte[] body, Map<String, Object> resp) throws ApiException {
        if (s.config().denyDelete) throw ApiException.of("JSStreamMsgDeleteFailedF", "err", "message delete not permitted");
        if (s.config().sealed) throw ApiException.of("JSStreamSealedErr");
        ApiRequest req = requiredJson(body, "JSApiMsgDeleteRequest");
        long seq = req.uint64("seq");
        boolean noErase = req.bool("no_erase");
        boolean removed = seq > 0 && coordinator.deleteMessage(s, seq, !noErase);
        if (!removed) throw ApiException.of("JSSequenceNotFoundErrF", "seq", seq);
        resp.put("success", true);
    }

    /**
     * DIRECT.GET: the message itself with Nats-Stream/Subject/Sequence/Time-Stamp headers, or a
     * 404 status, as upstream answers (only for streams with allow_direct, or their mirrors with
     * mirror_direct).
     */
    private void directGet(JsAccount ja, String[] t, InternalClient.Msg msg) {
        Stream s = ja.directGetServer(t[2]);
        if (s == null) {
            // upstream: no stream subscribed to this direct-get subject, yet the API takes the request,
            // so the requester hears nothing (not even no-responders) and times out
            return;
        }
        String subject = t.length > 3 ? String.join(".", java.util.Arrays.copyOfRange(t, 3, t.length)) : null;
        directGet.handle(ja.account, s, subject, msg.payload(), msg.reply());
    }

    // ---- helpers ----

    private static ApiRequest requiredJson(byte[] body, String goStruct) throws ApiException {
        if (body == null || body.length == 0) throw ApiException.of("JSBadRequestErr");
        return ApiRequest.parse(body, goStruct);
    }
}
