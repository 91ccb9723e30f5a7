package io.jnatsd.server.account;

import io.jnatsd.conf.GoDuration;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.AccountLimits;
import io.jnatsd.server.core.SubjectMappings;
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
     * What an accounts block declares, checked: the account names, each one's limits and
     * mappings, and every import with the export that allows it.
     */
    public record Plan(List<String> names, Map<String, AccountLimits> limits, Map<String, SubjectMappings> mappings,
                       List<ConfiguredImports.Entry> imports) {
    }

    /**
     * Creates every account named in {@code block} in {@code registry} and installs their
     * imports; throws IllegalArgumentException naming the account and the problem. Returns the
     * imports wired, for a reload to change.
     */
    public static ConfiguredImports apply(Object block, String systemAccount, Accounts registry) {
        Plan plan = plan(block, systemAccount, registry);
        ConfiguredImports wired = new ConfiguredImports();
        applyPlan(plan, registry, wired);
        if (systemAccount != null && !systemAccount.isEmpty()) registry.setSystemAccount(systemAccount);
        return wired;
    }

    /**
     * Reads and checks {@code block} without changing anything: accounts it imports from must be
     * in the block or be {@code $G} or the system account ({@code registry} says which exist).
     */
    public static Plan plan(Object block, String systemAccount, Accounts registry) {
        if (block != null && !(block instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("Expected accounts to be a map of account names");
        }
        Map<?, ?> accounts = block == null ? Map.of() : (Map<?, ?>) block;
        java.util.Set<String> known = new java.util.LinkedHashSet<>();
        for (Object name : accounts.keySet()) known.add(String.valueOf(name));
        List<String> names = List.copyOf(known);
        known.add(registry.global().name());
        if (registry.systemAccountName() != null) known.add(registry.systemAccountName());
        if (systemAccount != null && !systemAccount.isEmpty() && !known.contains(systemAccount)) {
            throw new IllegalArgumentException("system account \"" + systemAccount + "\" not found");
        }
        Map<String, List<Export>> exports = new java.util.HashMap<>();
        Map<String, AccountLimits> limits = new java.util.HashMap<>();
        Map<String, SubjectMappings> mappings = new java.util.HashMap<>();
        for (Map.Entry<?, ?> e : accounts.entrySet()) {
            String name = String.valueOf(e.getKey());
            Map<?, ?> acc = asMap(e.getValue(), "account " + name);
            exports.put(name, parseExports(name, acc.get("exports")));
            Object l = acc.get("limits");
            if (l != null) limits.put(name, parseLimits(name, asMap(l, "limits of " + name)));
            Object m = acc.get("mappings");
            if (m == null) m = acc.get("maps");
            if (m != null) mappings.put(name, parseMappings(m, "account " + name));
        }
        List<ConfiguredImports.Entry> imports = new ArrayList<>();
        for (Map.Entry<?, ?> e : accounts.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object imps = asMap(e.getValue(), "account " + name).get("imports");
            if (imps == null) continue;
            for (Object imp : asList(imps, "imports of " + name)) {
                imports.add(checkImport(known, exports, name, parseImport(name, asMap(imp, "an import of " + name))));
            }
        }
        return new Plan(names, limits, mappings, imports);
    }

    /**
     * Makes {@code registry} what {@code plan} says: missing accounts created, limits and
     * mappings set (reset where the plan has none), and the imports of {@code wired} changed to
     * the plan's, leaving those that stay as they are (no message is lost or doubled on them).
     */
    public static void applyPlan(Plan plan, Accounts registry, ConfiguredImports wired) {
        for (String n : plan.names()) {
            if (registry.get(n) == null) registry.add(new Account(n));
        }
        for (String n : plan.names()) {
            Account a = registry.get(n);
            a.setLimits(plan.limits().getOrDefault(n, AccountLimits.NONE));
            a.setMappings(plan.mappings().get(n));
        }
        wired.reconcile(plan.imports(), registry);
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

    private static ConfiguredImports.Entry checkImport(java.util.Set<String> known, Map<String, List<Export>> exports,
                                                       String importerName, Import imp) {
        if (!known.contains(imp.account())) {
            throw new IllegalArgumentException("import of account " + importerName + " names unknown account \"" + imp.account() + "\"");
        }
        Export export = ImportWiring.findExport(exports.getOrDefault(imp.account(), List.of()), imp, e -> e.allows(importerName));
        if (export == null) {
            throw new IllegalArgumentException("account " + importerName + " imports " + (imp.service() ? "service" : "stream")
                    + " \"" + imp.subject() + "\" that account " + imp.account() + " does not export to it");
        }
        return new ConfiguredImports.Entry(importerName, imp, export);
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
