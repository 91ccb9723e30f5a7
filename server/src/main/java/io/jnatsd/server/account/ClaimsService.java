package io.jnatsd.server.account;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.auth.jwt.ClaimsRequests;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InternalClient;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Answers the account claim requests in the system account, as an internal client (the same
 * subscribe/publish path as any client, so only the system account's users reach it):
 * {@code $SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE} and the older {@code $SYS.ACCOUNT.*.CLAIMS.UPDATE},
 * and with a full resolver also {@code $SYS.REQ.CLAIMS.UPDATE}, {@code $SYS.REQ.CLAIMS.LIST},
 * {@code $SYS.REQ.CLAIMS.DELETE} and {@code $SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP}. Replies are
 * upstream's JSON: {@code {"data": {"account", "code": 200, "message"}, "server": {...}}} or
 * {@code {"error": {"account", "code": 500, "description"}, "server": {...}}}.
 */
public final class ClaimsService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClaimsRequests requests;
    private final Account system;
    private final InternalClient client;
    private final Supplier<Map<String, Object>> serverInfo;

    /**
     * @param serverInfo the {@code server} object of replies (name, host, id, ver, seq, time, ...)
     */
    public ClaimsService(ClaimsRequests requests, Account system, Executor executor, Supplier<Map<String, Object>> serverInfo) {
        this.requests = requests;
        this.system = system;
        this.client = new InternalClient("claims", ConnectionKind.SYSTEM, executor);
        this.serverInfo = serverInfo;
    }

    public void start() {
        for (String s : List.of("$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE", "$SYS.ACCOUNT.*.CLAIMS.UPDATE")) {
            client.subscribe(system, s, null, (sub, m) -> {
                String[] t = m.subject().split("\\.");
                String key = t.length == 6 ? t[3] : t.length == 5 ? t[2] : null;
                if (key != null) reply(m.reply(), requests.update(key, m.payload()));
            });
        }
        if (!requests.full()) return;
        client.subscribe(system, "$SYS.REQ.CLAIMS.UPDATE", null, (sub, m) -> reply(m.reply(), requests.update(null, m.payload())));
        client.subscribe(system, "$SYS.REQ.CLAIMS.DELETE", null, (sub, m) -> reply(m.reply(), requests.delete(m.payload())));
        client.subscribe(system, "$SYS.REQ.CLAIMS.LIST", null, (sub, m) -> {
            if (m.reply() == null) return;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("data", requests.list());
            r.put("server", serverInfo.get());
            publish(m.reply(), r);
        });
        client.subscribe(system, "$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP", null, (sub, m) -> {
            String[] t = m.subject().split("\\.");
            if (m.reply() == null || t.length != 6) return;
            String jwt = requests.lookup(t[3]);
            if (jwt != null) client.publish(system, m.reply(), null, null, jwt.getBytes(StandardCharsets.UTF_8));
        });
    }

    private void reply(String subject, ClaimsRequests.Outcome o) {
        if (subject == null) return;
        Map<String, Object> body = new LinkedHashMap<>();
        if (o.account() != null) body.put("account", o.account());
        Map<String, Object> r = new LinkedHashMap<>();
        if (o.error() == null) {
            body.put("code", 200);
            body.put("message", o.message());
            r.put("data", body);
        } else {
            body.put("code", 500);
            body.put("description", o.message() + " - " + o.error());
            r.put("error", body);
        }
        r.put("server", serverInfo.get());
        publish(subject, r);
    }

    private void publish(String subject, Map<String, Object> r) {
        try {
            client.publish(system, subject, null, null, JSON.writeValueAsBytes(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
