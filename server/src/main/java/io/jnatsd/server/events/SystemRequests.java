package io.jnatsd.server.events;

import static io.jnatsd.server.events.RequestOptions.bool;
import static io.jnatsd.server.events.RequestOptions.integer;
import static io.jnatsd.server.events.RequestOptions.sort;
import static io.jnatsd.server.events.RequestOptions.state;
import static io.jnatsd.server.events.RequestOptions.str;
import static io.jnatsd.server.events.RequestOptions.strings;
import static io.jnatsd.server.events.RequestOptions.unsigned;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.account.Accounts;
import io.jnatsd.server.account.InternalImports;
import io.jnatsd.server.auth.Permissions;
import io.jnatsd.server.auth.SubjectPermission;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.core.InternalClient.Msg;
import io.jnatsd.server.monitor.Endpoints;
import io.jnatsd.server.monitor.Json;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The system account's request services, on upstream's subjects and with its replies
 * ({@code {"server":{...},"data":{...}}}, or {@code "error":{"code","description"}}): the
 * monitoring endpoints of this server ({@code $SYS.REQ.SERVER.PING.<X>} to every server,
 * {@code $SYS.REQ.SERVER.<id>.<X>} to this one), of one account
 * ({@code $SYS.REQ.ACCOUNT.<acc>.<X>}), and the caller's own user ({@code $SYS.REQ.USER.INFO}).
 * The data is what the HTTP endpoint answers: the same builders make both.
 *
 * <p>Clients of other accounts reach a few of them through imports every account has, as
 * upstream: {@code $SYS.REQ.SERVER.PING.CONNZ} and {@code $SYS.REQ.ACCOUNT.PING.CONNZ} give
 * their own account's connections, {@code $SYS.REQ.ACCOUNT.PING.STATZ} its counts, and
 * {@code $SYS.REQ.USER.INFO} who they are. Everything else is the system account's alone.
 */
final class SystemRequests {
    /** 2.9.10's server endpoints, plus IDZ (2.10). */
    static final List<String> SERVER_ENDPOINTS = List.of("STATSZ", "VARZ", "SUBSZ", "CONNZ", "ROUTEZ", "GATEWAYZ",
            "LEAFZ", "ACCOUNTZ", "JSZ", "HEALTHZ", "IDZ");
    static final List<String> ACCOUNT_ENDPOINTS = List.of("SUBSZ", "CONNZ", "LEAFZ", "JSZ", "INFO", "STATZ", "CONNS");

    /** Made by the first CONNS request with a body rather than at start: databind's set-up is ~40 ms. */
    private static final class ConnsBody {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private static final RequestOptions.Spec STATSZ = RequestOptions.Spec.of("StatszEventOptions");
    private static final Map<String, RequestOptions.Spec> SPECS = Map.of(
            "VARZ", RequestOptions.Spec.of("VarzEventOptions"),
            "CONNZ", RequestOptions.Spec.of("ConnzEventOptions", sort("sort", "sort"), bool("auth", "auth"),
                    bool("subscriptions", "subs"), bool("subscriptions_detail", "subs", "detail"),
                    integer("offset", "offset"), integer("limit", "limit"), unsigned("cid", "cid"),
                    str("mqtt_client", null), state("state", "state"), str("user", "user"), str("acc", "acc"),
                    str("filter_subject", null)),
            "SUBSZ", RequestOptions.Spec.of("SubszEventOptions", integer("offset", "offset"), integer("limit", "limit"),
                    bool("subscriptions", "subs"), str("account", "acc"), str("test", "test")),
            "ROUTEZ", RequestOptions.Spec.of("RoutezEventOptions", bool("subscriptions", "subs"),
                    bool("subscriptions_detail", "subs", "detail")),
            "GATEWAYZ", RequestOptions.Spec.of("GatewayzEventOptions", str("name", "gw_name"),
                    bool("accounts", "accs"), str("account_name", "acc_name")),
            "LEAFZ", RequestOptions.Spec.of("LeafzEventOptions", bool("subscriptions", "subs"), str("account", "acc")),
            "ACCOUNTZ", RequestOptions.Spec.of("AccountzEventOptions", str("account", "acc")),
            "JSZ", RequestOptions.Spec.of("JszEventOptions", str("account", "acc"), bool("accounts", "accounts"),
                    bool("streams", "streams"), bool("consumer", "consumers"), bool("config", "config"),
                    bool("leader_only", "leader-only"), integer("offset", "offset"), integer("limit", "limit")),
            "HEALTHZ", RequestOptions.Spec.of("HealthzEventOptions", bool("js-enabled-only", "js-enabled-only"),
                    bool("js-server-only", "js-server-only")));
    private static final RequestOptions.Spec RELOAD = RequestOptions.Spec.of("EventFilterOptions");
    private static final RequestOptions.Spec ACC_INFO = RequestOptions.Spec.of("AccInfoEventOptions");
    private static final RequestOptions.Spec ACC_STATZ = RequestOptions.Spec.of("AccountStatzEventOptions",
            strings("accounts"), bool("include_unused", "include_unused"));

    private final SystemEvents events;
    private final Endpoints endpoints;
    private final Accounts accounts;

    SystemRequests(SystemEvents events, Endpoints endpoints, Accounts accounts) {
        this.events = events;
        this.endpoints = endpoints;
        this.accounts = accounts;
    }

    /** The services' subscriptions in the system account. */
    void subscribe(InternalClient client, Account system) {
        String id = events.block().id();
        client.subscribe(system, "$SYS.REQ.SERVER.PING", null, (s, m) -> statsz(m)); // the legacy STATSZ
        for (String x : SERVER_ENDPOINTS) {
            InternalClient.Handler h = (s, m) -> server(x, m);
            client.subscribe(system, "$SYS.REQ.SERVER.PING." + x, null, h);
            client.subscribe(system, "$SYS.REQ.SERVER." + id + "." + x, null, h);
        }
        for (String x : ACCOUNT_ENDPOINTS) {
            client.subscribe(system, "$SYS.REQ.ACCOUNT.*." + x, null, (s, m) -> account(x, m));
        }
        client.subscribe(system, "$SYS.REQ.ACCOUNT.PING.STATZ", null,
                (s, m) -> zReq(m, ACC_STATZ, o -> accountStatz(o.list("accounts"), o.flag("include_unused"))));
        client.subscribe(system, "$SYS.REQ.SERVER." + id + ".RELOAD", null, (s, m) -> reload(m));
        client.subscribe(system, "$SYS.REQ.USER.INFO", null, (s, m) -> userInfo(m));
        client.subscribe(system, "$SYS.REQ.USER.*.INFO", null, (s, m) -> userInfo(m));
    }

    /** The one response router of the imports below, made by the first import. */
    private InternalImports imports;

    /** Every other account imports the services its clients may call, mapped to their own account. */
    void importInto(Accounts all, Account system) {
        for (Account a : all.all()) {
            if (a != system) importInto(a, system);
        }
    }

    /** One account's imports of the system services (also for an account a reload adds). */
    synchronized void importInto(Account a, Account system) {
        if (imports == null) imports = new InternalImports(system);
        String connz = "$SYS.REQ.ACCOUNT." + a.name() + ".CONNZ";
        imports.add(a, "$SYS.REQ.SERVER.PING.CONNZ", connz);
        imports.add(a, "$SYS.REQ.ACCOUNT.PING.CONNZ", connz);
        imports.add(a, "$SYS.REQ.ACCOUNT.PING.STATZ", "$SYS.REQ.ACCOUNT." + a.name() + ".STATZ");
        imports.add(a, "$SYS.REQ.USER.INFO", "$SYS.REQ.USER." + a.name() + ".INFO");
    }

    // ---- server requests ----

    private void server(String x, Msg m) {
        switch (x) {
            case "STATSZ" -> statsz(m);
            case "IDZ" -> {
                if (m.reply() != null) events.publish(m.reply(), events.block().identity());
            }
            default -> zReq(m, SPECS.get(x), o -> endpoints.build(x.toLowerCase(Locale.ROOT), o.params()));
        }
    }

    /** STATSZ: without a reply subject, the answer goes out as the periodic STATSZ event does. */
    private void statsz(Msg m) {
        String reply = m.reply() != null ? m.reply() : events.statszSubject();
        RequestOptions o;
        try {
            o = RequestOptions.parse(m.payload(), STATSZ);
        } catch (RequestOptions.Invalid e) {
            events.publish(reply, error(400, e.getMessage()));
            return;
        }
        if (events.block().filteredOut(o)) return;
        events.sendStatsz(reply);
    }

    // ---- account requests: $SYS.REQ.ACCOUNT.<acc>.<X> ----

    private void account(String x, Msg m) {
        String[] tokens = m.subject().split("\\.");
        if (tokens.length != 5) return;
        String acc = tokens[3];
        switch (x) {
            case "SUBSZ" -> zReq(m, SPECS.get("SUBSZ"), o -> {
                o.params().put("subs", "true");
                o.params().put("acc", acc);
                return endpoints.build("subsz", o.params());
            });
            case "CONNZ" -> zReq(m, SPECS.get("CONNZ"), o -> {
                o.params().put("acc", acc);
                return endpoints.build("connz", o.params());
            });
            case "LEAFZ" -> zReq(m, SPECS.get("LEAFZ"), o -> {
                o.params().put("acc", acc);
                return endpoints.build("leafz", o.params());
            });
            // Upstream answers this from the account's JetStream, which is not served yet.
            case "JSZ" -> zReq(m, SPECS.get("JSZ"), o -> {
                throw new IllegalStateException("jetstream not enabled");
            });
            case "INFO" -> zReq(m, ACC_INFO, o -> endpoints.accountDetail(acc));
            case "STATZ" -> zReq(m, ACC_STATZ, o -> acc.equals("PING") ? null
                    : accountStatz(List.of(acc), o.flag("include_unused")));
            case "CONNS" -> conns(acc, m);
            default -> { }
        }
    }

    /** Account counts; null (no answer) when no account qualifies and unused ones were not asked for. */
    private Map<String, Object> accountStatz(List<String> names, boolean unused) {
        Map<String, Object> statz = endpoints.accountStatz(names, unused);
        return ((List<?>) statz.get("account_statz")).isEmpty() && !unused ? null : statz;
    }

    /** An account's connection count, answered only by a server where it has clients. */
    private void conns(String acc, Msg m) {
        if (m.reply() == null) return;
        if (m.payload().length > 0) {
            try {
                JsonNode body = ConnsBody.JSON.readTree(m.payload());
                JsonNode named = body == null ? null : body.get("acc");
                if (named != null && !acc.equals(named.asText())) return;
            } catch (java.io.IOException e) {
                return;
            }
        }
        Account a = accounts.get(acc);
        if (a != null && a.connectionCount() > 0) events.sendAccountConns(a, m.reply());
    }

    // ---- user requests ----

    /** Who the caller is (2.10's USER.INFO): its user, account and permissions. */
    private void userInfo(Msg m) {
        if (m.reply() == null) return;
        Map<String, Object> data = Json.object();
        if (m.publisher() instanceof ClientConnection c) {
            String user = c.authorizedUser();
            data.put("user", user == null ? "" : user);
            data.put("account", c.account().name());
            User u = c.user();
            if (u != null && !u.permissions().isAllowAll()) data.put("permissions", permissions(u.permissions()));
        } else {
            String[] tokens = m.subject().split("\\.");
            data.put("user", "");
            data.put("account", tokens.length == 5 ? tokens[3] : accounts.systemAccountName());
        }
        Map<String, Object> resp = Json.object();
        resp.put("server", events.block().next());
        resp.put("data", data);
        events.publish(m.reply(), resp);
    }

    private static Map<String, Object> permissions(Permissions p) {
        Map<String, Object> o = Json.object();
        if (!p.publish().equals(SubjectPermission.ALLOW_ALL)) o.put("publish", subjectPermission(p.publish()));
        if (!p.subscribe().equals(SubjectPermission.ALLOW_ALL)) o.put("subscribe", subjectPermission(p.subscribe()));
        if (p.response() != null) {
            Map<String, Object> r = Json.object();
            r.put("max", p.response().maxMsgs());
            r.put("ttl", p.response().expires().toNanos());
            o.put("responses", r);
        }
        return o;
    }

    private static Map<String, Object> subjectPermission(SubjectPermission sp) {
        Map<String, Object> o = Json.object();
        if (sp.allow() != null && !sp.allow().isEmpty()) o.put("allow", sp.allow());
        if (!sp.deny().isEmpty()) o.put("deny", sp.deny());
        return o;
    }

    // ---- upstream's request/response envelope ----

    /**
     * Decodes the options, stays silent when the server filter leaves this server out, and
     * answers with the data, or with the error: 400 for a body that does not decode, 500 for
     * one the endpoint refuses. {@code data} returning null means: do not answer.
     */
    private void zReq(Msg m, RequestOptions.Spec spec, Function<RequestOptions, Map<String, Object>> data) {
        if (m.reply() == null) return;
        RequestOptions o;
        try {
            o = RequestOptions.parse(m.payload(), spec);
        } catch (RequestOptions.Invalid e) {
            events.publish(m.reply(), error(400, e.getMessage()));
            return;
        }
        if (events.block().filteredOut(o)) return;
        Map<String, Object> body;
        String failure = null;
        try {
            body = data.apply(o);
            if (body == null) return;
        } catch (RuntimeException e) {
            body = null;
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        Map<String, Object> resp = Json.object();
        resp.put("server", events.block().next());
        resp.put("data", body);
        if (failure != null) resp.put("error", errorBody(500, failure));
        events.publish(m.reply(), resp);
    }

    /**
     * {@code $SYS.REQ.SERVER.<id>.RELOAD} (upstream 2.10+; 2.9.10 has no such request): the same
     * reload as SIGHUP; the reply has no data, or a 500 error saying why nothing was applied.
     */
    private void reload(Msg m) {
        RequestOptions o;
        try {
            o = RequestOptions.parse(m.payload(), RELOAD);
        } catch (RequestOptions.Invalid e) {
            if (m.reply() != null) events.publish(m.reply(), error(400, e.getMessage()));
            return;
        }
        if (events.block().filteredOut(o)) return;
        String failure = events.reloadConfig();
        if (m.reply() == null) return;
        Map<String, Object> resp = failure == null ? Json.object() : error(500, failure);
        if (failure == null) resp.put("server", events.block().next());
        events.publish(m.reply(), resp);
    }

    private Map<String, Object> error(int code, String description) {
        Map<String, Object> resp = Json.object();
        resp.put("server", events.block().next());
        resp.put("error", errorBody(code, description));
        return resp;
    }

    private static Map<String, Object> errorBody(int code, String description) {
        Map<String, Object> e = Json.object();
        e.put("code", code);
        e.put("description", description);
        return e;
    }
}
