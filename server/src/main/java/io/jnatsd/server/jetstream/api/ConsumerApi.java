package io.jnatsd.server.jetstream.api;

import io.jnatsd.server.jetstream.cluster.Coordinator;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.common.AckSubject;
import io.jnatsd.server.jetstream.consumer.Consumer;
import io.jnatsd.server.jetstream.consumer.ConsumerConfig;
import io.jnatsd.server.jetstream.consumer.ConsumerConfigs;
import io.jnatsd.server.jetstream.consumer.StreamConsumers;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InternalClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The consumer side of the JetStream API ({@code $JS.API.CONSUMER.*}) with upstream's JSON and
 * errors, plus the subjects consumers listen on: pull requests
 * ({@code CONSUMER.MSG.NEXT.<stream>.<consumer>}), acks ({@code $JS.ACK.>}) and flow control
 * replies ({@code $JS.FC.>}). The management calls run on the JetStream API thread; pull
 * requests, acks and flow control replies arrive straight from the publisher's thread and only
 * touch the consumer they name.
 */
public final class ConsumerApi {
    private static final String TYPE = "io.nats.jetstream.api.v1.";
    private static final int NAMES_LIMIT = 1024;
    private static final int LIST_LIMIT = 256;
    public static final String NEXT_PREFIX = "$JS.API.CONSUMER.MSG.NEXT.";

    private final JsServer js;
    private final Coordinator coordinator;

    public ConsumerApi(JsServer js, Coordinator coordinator) {
        this.js = js;
        this.coordinator = coordinator;
    }

    /** {@code t} are the tokens of {@code subject} after {@code $JS.API.}, starting with CONSUMER. */
    void handle(Account account, String subject, String[] t, InternalClient.Msg msg) {
        if (msg.reply() == null || t.length < 2) return;
        String type = responseType(t);
        if (type == null) return;
        JsAccount ja = js.account(account);
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("type", TYPE + type);
        Consumer created = null;
        if (ja == null) {
            resp.put("error", ApiErrors.of("JSNotEnabledForAccountErr"));
        } else {
            ja.apiTotal.incrementAndGet();
            try {
                created = dispatch(ja, t, msg.payload(), resp);
            } catch (ApiException e) {
                ja.apiErrors.incrementAndGet();
                resp.keySet().retainAll(List.of("type"));
                resp.put("error", e.error());
                if (type.equals("consumer_names_response") || type.equals("consumer_list_response")) {
                    resp.put("total", 0);
                    resp.put("offset", 0);
                    resp.put("limit", 0);
                    resp.put("consumers", List.of());
                }
            }
        }
        ApiResponses.send(js, account, subject, msg, resp);
        if (created != null) {
            created.signal(); // deliveries start after the client has its answer, as upstream
            created.adviseIfPaused();
        }
    }

    private static String responseType(String[] t) {
        return switch (t[1]) {
            case "CREATE" -> t.length >= 3 ? "consumer_create_response" : null;
            case "DURABLE" -> t.length >= 3 && t[2].equals("CREATE") ? "consumer_create_response" : null;
            case "INFO" -> t.length == 4 ? "consumer_info_response" : null;
            case "DELETE" -> t.length == 4 ? "consumer_delete_response" : null;
            case "NAMES" -> t.length == 3 ? "consumer_names_response" : null;
            case "PAUSE" -> t.length == 4 ? "consumer_pause_response" : null;
            case "UNPIN" -> t.length == 4 ? "consumer_unpin_response" : null;
            case "LIST" -> t.length == 3 ? "consumer_list_response" : null;
            case "LEADER" -> t.length == 5 && t[2].equals("STEPDOWN") ? "consumer_leader_stepdown_response" : null;
            default -> null; // MSG.NEXT has a subscription of its own
        };
    }

    /** Answers the request in {@code resp}; returns a consumer created or updated. */
    private Consumer dispatch(JsAccount ja, String[] t, byte[] body, Map<String, Object> resp) throws ApiException {
        switch (t[1]) {
            case "CREATE", "DURABLE" -> {
                return create(ja, t, body, resp);
            }
            case "INFO" -> {
                if (body.length > 0 && !isEmptyJson(body)) throw ApiException.of("JSNotEmptyRequestErr");
                Consumer c = consumer(stream(ja, t[2]), t[3]);
                resp.putAll(c.info());
            }
            case "DELETE" -> {
                if (body.length > 0 && !isEmptyJson(body)) throw ApiException.of("JSNotEmptyRequestErr");
                Stream s = stream(ja, t[2]);
                Consumer c = consumer(s, t[3]);
                coordinator.deleteConsumer(s, c);
                resp.put("success", true);
            }
            case "PAUSE" -> pause(ja, t, body, resp);
            case "UNPIN" -> unpin(ja, t, body);
            case "NAMES" -> names(ja, t[2], body, resp);
            case "LIST" -> list(ja, t[2], body, resp);
            case "LEADER" -> coordinator.stepDownConsumer(ja, t[3], t[4]);
            default -> throw ApiException.of("JSBadRequestErr");
        }
        return null;
    }

    private Consumer create(JsAccount ja, String[] t, byte[] body, Map<String, Object> resp) throws ApiException {
        JsonNode req;
        ConsumerConfig cfg;
        try {
            req = body.length == 0 ? null : JsJson.JSON.readTree(body);
            if (req == null || !req.isObject()) throw invalidJson("unexpected end of JSON input");
            JsonNode config = req.get("config");
            cfg = config == null || config.isNull() ? new ConsumerConfig() : JsJson.JSON.treeToValue(config, ConsumerConfig.class);
        } catch (IOException e) {
            throw ApiRequest.invalidJson(e, "CreateConsumerRequest.config");
        }
        String badEnum = ConsumerConfigs.undecodable(cfg);
        if (badEnum != null) throw invalidJson(badEnum);
        String streamName;
        String consumerName = null;
        String filter = null;
        boolean legacyDurable = t[1].equals("DURABLE");
        boolean legacyEphemeral = false;
        if (legacyDurable) {
            if (t.length != 5) throw ApiException.of("JSConsumerDurableNameNotInSubjectErr");
            streamName = t[3];
            consumerName = t[4];
        } else if (t.length == 3) {
            legacyEphemeral = true;
            streamName = t[2];
        } else {
            streamName = t[2];
            consumerName = t[3];
            if (t.length > 4) filter = String.join(".", java.util.Arrays.copyOfRange(t, 4, t.length));
        }
        String requestStream = req.path("stream_name").asText("");
        if (!streamName.equals(requestStream)) throw ApiException.of("JSStreamMismatchErr");
        if (consumerName != null && (consumerName.contains("/") || consumerName.contains("\\"))) {
            throw ApiException.of("JSConsumerNameContainsPathSeparatorsErr");
        }
        if (legacyDurable) {
            if (!cfg.isDurable()) throw ApiException.of("JSConsumerDurableNameNotSetErr");
            if (!consumerName.equals(cfg.durableName)) throw ApiException.of("JSConsumerDurableNameNotMatchSubjectErr");
        } else if (!legacyEphemeral) {
            if (cfg.isDurable() && !consumerName.equals(cfg.durableName)) {
                throw ApiException.of("JSConsumerDurableNameNotMatchSubjectErr");
            }
            cfg.name = consumerName;
        } else if (cfg.isDurable()) {
            throw ApiException.of("JSConsumerEphemeralWithDurableNameErr");
        }
        if (filter != null) {
            if (cfg.filterSubjects != null && !cfg.filterSubjects.isEmpty()) throw ApiException.of("JSConsumerMultipleFiltersNotAllowed");
            if (!filter.equals(cfg.filterSubject)) throw ApiException.of("JSConsumerCreateFilterSubjectMismatchErr");
        }
        if (cfg.numReplicas > 1) throw ApiException.of("JSStreamReplicasNotSupportedErr");
        Stream s = ja.stream(streamName);
        if (s == null) throw ApiException.of("JSStreamNotFoundErr");
        String action = req.path("action").asText("");
        Consumer c = coordinator.createConsumer(ja, s, cfg, action);
        resp.putAll(c.info());
        return c;
    }

    /** CONSUMER.PAUSE: {"pause_until": time} pauses until then; no body or a zero time resumes. */
    private void pause(JsAccount ja, String[] t, byte[] body, Map<String, Object> resp) throws ApiException {
        String until = null;
        if (isJsonObjectOrArray(body)) {
            try {
                JsonNode req = JsJson.JSON.readTree(body);
                JsonNode u = req.path("pause_until");
                if (!u.isMissingNode() && !u.isNull()) {
                    if (ConsumerConfigs.parseTime(u.asText()) == null) throw invalidJson("parsing time " + u + " failed");
                    until = GoTime.utc(u.asText());
                    if (until.equals(GoTime.ZERO)) until = null; // Go's zero time: resume
                }
            } catch (IOException e) {
                throw ApiRequest.invalidJson(e);
            }
        }
        Stream s = stream(ja, t[2]);
        Consumer c = consumer(s, t[3]);
        coordinator.pauseConsumer(s, c, until);
        long remaining = c.pauseRemaining();
        resp.put("paused", remaining > 0);
        resp.put("pause_until", until == null ? GoTime.ZERO : until);
        if (remaining > 0) resp.put("pause_remaining", remaining);
    }

    /** CONSUMER.UNPIN {"group": name}: the group's pinned client loses its pin; the answer is just the type. */
    private void unpin(JsAccount ja, String[] t, byte[] body) throws ApiException {
        String group;
        try {
            JsonNode req = body.length == 0 ? null : JsJson.JSON.readTree(body);
            if (req == null) throw invalidJson("unexpected end of JSON input");
            group = req.path("group").asText("");
        } catch (IOException e) {
            throw ApiRequest.invalidJson(e);
        }
        if (group.isEmpty()) throw invalidJson("consumer group not specified");
        if (!ConsumerConfigs.validGroupName(group)) throw ApiException.of("JSConsumerInvalidGroupNameErr");
        Consumer c = consumer(stream(ja, t[2]), t[3]);
        List<String> groups = c.config().priorityGroups;
        if (groups == null || !groups.contains(group)) throw ApiException.of("JSConsumerInvalidPriorityGroupErr");
        c.unpin(group);
    }

    private static boolean isJsonObjectOrArray(byte[] body) {
        String s = new String(body, java.nio.charset.StandardCharsets.UTF_8).trim();
        return s.startsWith("{") || s.startsWith("[");
    }

    private void names(JsAccount ja, String streamName, byte[] body, Map<String, Object> resp) throws ApiException {
        int offset = offset(body);
        Stream s = stream(ja, streamName);
        List<Consumer> all = StreamConsumers.of(s).list();
        offset = Math.min(offset, all.size());
        List<String> page = new ArrayList<>();
        for (int i = offset; i < all.size() && page.size() < NAMES_LIMIT; i++) page.add(all.get(i).name());
        resp.put("total", all.size());
        resp.put("offset", offset);
        resp.put("limit", NAMES_LIMIT);
        resp.put("consumers", page);
    }

    private void list(JsAccount ja, String streamName, byte[] body, Map<String, Object> resp) throws ApiException {
        int offset = offset(body);
        Stream s = stream(ja, streamName);
        List<Consumer> all = StreamConsumers.of(s).list();
        offset = Math.min(offset, all.size());
        List<Map<String, Object>> page = new ArrayList<>();
        for (int i = offset; i < all.size() && page.size() < LIST_LIMIT; i++) page.add(all.get(i).info());
        resp.put("total", all.size());
        resp.put("offset", offset);
        resp.put("limit", LIST_LIMIT);
        resp.put("consumers", page);
    }

    static ApiException invalidJson(String why) {
        return ApiRequest.invalidJson(why);
    }

    private static int offset(byte[] body) throws ApiException {
        return Math.max(0, ApiRequest.parse(body, "JSApiConsumersRequest").integer("offset"));
    }

    private static boolean isEmptyJson(byte[] body) {
        String s = new String(body, java.nio.charset.StandardCharsets.UTF_8).trim();
        return s.isEmpty() || s.equals("{}") || s.equals("null");
    }

    private static Stream stream(JsAccount ja, String name) throws ApiException {
        Stream s = ja.stream(name);
        if (s == null) throw ApiException.of("JSStreamNotFoundErr");
        return s;
    }

    private static Consumer consumer(Stream s, String name) throws ApiException {
        Consumer c = StreamConsumers.of(s).get(name);
        if (c == null) throw ApiException.of("JSConsumerNotFoundErr");
        return c;
    }

    // ---- the fast path: pull requests, acks, flow control ----

    /** A pull request; {@code subject} is in the {@code $JS.API.} form. */
    public void nextRequest(Account account, String subject, InternalClient.Msg msg) {
        String rest = subject.substring(NEXT_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || rest.indexOf('.', dot + 1) >= 0) return;
        Consumer c = lookup(account, rest.substring(0, dot), rest.substring(dot + 1));
        if (c != null) c.nextRequest(msg.reply(), msg.payload());
    }

    public void ack(Account account, InternalClient.Msg msg) {
        AckSubject a = AckSubject.parse(msg.subject());
        if (a == null) return;
        Consumer c = lookup(account, a.stream(), a.consumer());
        if (c != null) c.ack(a, msg.reply(), payloadOf(msg));
    }

    public void flowControl(Account account, InternalClient.Msg msg) {
        String[] t = msg.subject().split("\\.");
        if (t.length != 5) return;
        Consumer c = lookup(account, t[2], t[3]);
        if (c != null) c.flowControlReply(msg.subject());
    }

    private static byte[] payloadOf(InternalClient.Msg msg) {
        return msg.payload() == null ? new byte[0] : msg.payload();
    }

    private Consumer lookup(Account account, String streamName, String consumerName) {
        return coordinator.consumer(account, streamName, consumerName);
    }
}
