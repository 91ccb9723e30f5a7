package io.jnatsd.server.account;

import io.jnatsd.conf.GoDuration;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.AccountLimits;
import io.jnatsd.server.core.SubjectMappings;
import io.jnatsd.server.core.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the configured accounts ({@code accounts { A: { users, exports, imports, limits } }})
 * and wires their imports. Users are read by the authenticator; everything else is here.
 */
public final class AccountsConfig {
    private AccountsConfig() {}

    /**
     * Creates every account named in {@code block} in {@code registry} and installs their
     * imports; throws IllegalArgumentException naming the account and the problem.
     */
    public static void apply(Object block, String systemAccount, Accounts registry) {
        if (block != null && !(block instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("Expected accounts to be a map of account names");
        }
        Map<?, ?> accounts = block == null ? Map.of() : (Map<?, ?>) block;
        for (Object name : accounts.keySet()) {
            String n = String.valueOf(name);
            if (registry.get(n) == null) registry.add(new Account(n));
        }
        if (systemAccount != null && !systemAccount.isEmpty()) {
            if (registry.get(systemAccount) == null) {
                throw new IllegalArgumentException("system account \"" + systemAccount + "\" not found");
            }
            registry.setSystemAccount(systemAccount);
        }
        Map<String, List<Export>> exports = new java.util.HashMap<>();
        for (Map.Entry<?, ?> e : accounts.entrySet()) {
            String name = String.valueOf(e.getKey());
            Map<?, ?> acc = asMap(e.getValue(), "account " + name);
            exports.put(name, parseExports(name, acc.get("exports")));
            Object limits = acc.get("limits");
            if (limits != null) registry.get(name).setLimits(parseLimits(name, asMap(limits, "limits of " + name)));
            Object mappings = acc.get("mappings");
            if (mappings == null) mappings = acc.get("maps");
            if (mappings != null) registry.get(name).setMappings(parseMappings(mappings, "account " + name));
        }
        for (Map.Entry<?, ?> e : accounts.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object imports = asMap(e.getValue(), "account " + name).get("imports");
            if (imports == null) continue;
            for (Object imp : asList(imports, "imports of " + name)) {
                wireImport(registry, exports, name, parseImport(name, asMap(imp, "an import of " + name)));
            }
        }
    }

    private static List<Export> parseExports(String account, Object v) {
        List<Export> out = new ArrayList<>();
        if (v == null) return out;
        for (Object o : asList(v, "exports of " + account)) {
            Map<?, ?> m = asMap(o, "an export of " + account);
            Object stream = m.get("stream");
            Object service = m.get("service");
            if ((stream == null) == (service == null)) {
                throw new IllegalArgumentException("export of account " + account + " needs exactly one of stream or service");
            }
            String subject = String.valueOf(stream != null ? stream : service);
            if (!Subjects.isValidSubject(subject)) {
                throw new IllegalArgumentException("invalid export subject \"" + subject + "\" in account " + account);
            }
            List<String> allowed = m.get("accounts") == null ? null : strings(asList(m.get("accounts"), "export accounts"));
            String responseType = m.get("response_type") == null ? "singleton" : String.valueOf(m.get("response_type")).toLowerCase();
            if (!List.of("singleton", "stream", "chunked").contains(responseType)) {
                throw new IllegalArgumentException("unknown response type \"" + responseType + "\" in account " + account);
            }
            Duration threshold = m.get("response_threshold") == null ? null
                    : GoDuration.parse(String.valueOf(m.get("response_threshold")));
            out.add(new Export(subject, service != null, allowed, false, responseType, threshold));
        }
        return out;
    }

    private static Import parseImport(String importerName, Map<?, ?> m) {
        Object stream = m.get("stream");
        Object service = m.get("service");
        if ((stream == null) == (service == null)) {
            throw new IllegalArgumentException("import of account " + importerName + " needs exactly one of stream or service");
        }
        boolean isService = service != null;
        Map<?, ?> src = asMap(isService ? service : stream, "import source of " + importerName);
        String to = m.get("to") == null ? null : String.valueOf(m.get("to"));
        String prefix = isService || m.get("prefix") == null ? null : String.valueOf(m.get("prefix"));
        return new Import(String.valueOf(src.get("account")), String.valueOf(src.get("subject")), isService, to, prefix);
    }

    private static void wireImport(Accounts registry, Map<String, List<Export>> exports, String importerName, Import imp) {
        Account exporter = registry.get(imp.account());
        if (exporter == null) {
            throw new IllegalArgumentException("import of account " + importerName + " names unknown account \"" + imp.account() + "\"");
        }
        Export export = ImportWiring.findExport(exports.getOrDefault(imp.account(), List.of()), imp, e -> e.allows(importerName));
        if (export == null) {
            throw new IllegalArgumentException("account " + importerName + " imports " + (imp.service() ? "service" : "stream")
                    + " \"" + imp.subject() + "\" that account " + imp.account() + " does not export to it");
        }
        ImportWiring.wire(registry.get(importerName), exporter, imp, export);
    }

    /**
     * A {@code mappings} block: {@code "src": "dest"}, {@code "src": {destination: d, weight: 40%}}
     * or a list of such maps (weights in percent, at most 100 in total).
     */
    public static SubjectMappings parseMappings(Object block, String where) {
        Map<?, ?> m = asMap(block, "mappings of " + where);
        SubjectMappings.Builder b = SubjectMappings.builder();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String src = String.valueOf(e.getKey());
            try {
                if (e.getValue() instanceof String dest) {
                    b.add(src, dest);
                } else {
                    List<SubjectMappings.Destination> dests = new ArrayList<>();
                    for (Object d : asList(e.getValue(), "mapping destinations of " + src)) dests.add(mapDestination(d, src));
                    b.add(src, dests);
                }
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("Error adding mapping for \"" + src + "\" in " + where + ": " + ex.getMessage(), ex);
            }
        }
        return b.build();
    }

    private static SubjectMappings.Destination mapDestination(Object o, String src) {
        Map<?, ?> m = asMap(o, "a mapping destination of " + src);
        String dest = null;
        int weight = 100;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (String.valueOf(e.getKey()).toLowerCase()) {
                case "dest", "destination" -> dest = String.valueOf(v);
                case "weight" -> {
                    String w = String.valueOf(v).trim();
                    if (w.endsWith("%")) w = w.substring(0, w.length() - 1).trim();
                    try {
                        weight = (int) Long.parseLong(w);
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException("Invalid weight \"" + v + "\" for mapping destination");
                    }
                    if (weight < 0 || weight > 100) throw new IllegalArgumentException("Invalid weight " + weight + " for mapping destination");
                }
                case "cluster" -> { } // no clustering yet: cluster-scoped destinations apply everywhere
                default -> throw new IllegalArgumentException("Unknown field \"" + e.getKey() + "\" for mapping destination");
            }
        }
        if (dest == null) throw new IllegalArgumentException("mapping destination of \"" + src + "\" has no destination");
        return new SubjectMappings.Destination(dest, weight);
    }

    private static AccountLimits parseLimits(String account, Map<?, ?> m) {
        int conns = -1;
        int subs = -1;
        int payload = -1;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            int v = ((Number) e.getValue()).intValue();
            switch (String.valueOf(e.getKey()).toLowerCase()) {
                case "max_connections", "max_conn" -> conns = v;
                case "max_subscriptions", "max_subs" -> subs = v;
                case "max_payload", "max_pay" -> payload = v;
                case "max_leafnodes", "max_leafs" -> { } // no leaf nodes yet
                default -> throw new IllegalArgumentException("unknown limit \"" + e.getKey() + "\" in account " + account);
            }
        }
        // In the config file, 0 means no limit (a JWT's 0 allows nothing): see AccountLimits.
        return new AccountLimits(conns == 0 ? -1 : conns, subs == 0 ? -1 : subs, payload == 0 ? -1 : payload);
    }

    private static Map<?, ?> asMap(Object v, String what) {
        if (v instanceof Map<?, ?> m) return m;
        throw new IllegalArgumentException("expected " + what + " to be a map");
    }

    private static List<?> asList(Object v, String what) {
        if (v instanceof List<?> l) return l;
        if (v instanceof String || v instanceof Map<?, ?>) return List.of(v);
        throw new IllegalArgumentException("expected " + what + " to be a list");
    }

    private static List<String> strings(List<?> l) {
        List<String> out = new ArrayList<>();
        for (Object o : l) out.add(String.valueOf(o));
        return out;
    }
}
