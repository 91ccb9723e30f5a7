package io.jnatsd.server.monitor;

import io.jnatsd.server.core.Account;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The monitoring endpoints' JSON builders, for whoever asks: the HTTP listener, and the
 * system account's requests ({@code $SYS.REQ.SERVER.PING.VARZ} and the like), which answer
 * with the same figures. Errors are runtime exceptions carrying upstream's text.
 */
public final class Endpoints {
    private final MonitoredServer server;
    private final Map<String, LongAdder> httpRequests = new ConcurrentHashMap<>();
    // Made on first use: a server nobody monitors pays nothing for it.
    private volatile ProcessStats proc;

    public Endpoints(MonitoredServer server) {
        this.server = server;
    }

    /**
     * One endpoint's answer ({@code varz}, {@code connz}, {@code routez}, {@code gatewayz},
     * {@code leafz}, {@code subsz}, {@code accountz}, {@code accstatz}, {@code jsz},
     * {@code healthz}) for these query parameters, as the HTTP endpoint gives it.
     */
    public Map<String, Object> build(String endpoint, Map<String, String> params) {
        return build(endpoint, Query.of(params));
    }

    Map<String, Object> build(String endpoint, Query q) {
        return switch (endpoint) {
            case "varz" -> Varz.build(server, proc(), httpRequestStats());
            case "connz" -> Connz.build(server, q);
            case "routez" -> Routez.routez(server, q);
            case "gatewayz" -> Gatewayz.gatewayz(server, q);
            case "leafz" -> Leafz.leafz(server, q);
            case "subsz" -> Subsz.build(server, q);
            case "accountz" -> Accounts.accountz(server, q);
            case "accstatz" -> Accounts.accstatz(server, q.bool("unused"), null);
            case "jsz" -> Jsz.build(server, q);
            case "healthz" -> Unserved.healthz(server, q).body();
            default -> throw new IllegalArgumentException("unknown endpoint " + endpoint);
        };
    }

    /** The server's statistics as its STATSZ events carry them. */
    public Map<String, Object> statsz() {
        return Statsz.build(server, proc());
    }

    /** One account's details, as {@code /accountz?acc=NAME} gives them under {@code account_detail}. */
    public Map<String, Object> accountDetail(String name) {
        return Accounts.detail(server, name);
    }

    /**
     * {@code /accstatz} for these accounts (all when {@code names} is null or empty); accounts
     * without connections only when {@code unused}.
     */
    public Map<String, Object> accountStatz(List<String> names, boolean unused) {
        return Accounts.accstatz(server, unused, names);
    }

    /** One account's connection and message counts, as an element of {@code account_statz}. */
    public Map<String, Object> accountStat(Account account) {
        return Accounts.stat(server, account);
    }

    ProcessStats proc() {
        ProcessStats p = proc;
        if (p == null) {
            synchronized (this) {
                p = proc;
                if (p == null) proc = p = new ProcessStats();
            }
        }
        return p;
    }

    void countHttpRequest(String stat) {
        httpRequests.computeIfAbsent(stat, k -> new LongAdder()).increment();
    }

    private Map<String, Long> httpRequestStats() {
        Map<String, Long> m = new TreeMap<>(); // Go writes map keys sorted
        httpRequests.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
