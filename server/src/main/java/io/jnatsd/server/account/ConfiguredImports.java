package io.jnatsd.server.account;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The imports the config file wired, each with what it wired, so that a reload can take apart
 * exactly those that went and wire those that came, and leave the rest untouched.
 */
public final class ConfiguredImports {
    /** One configured import: who imports what, allowed by which export. */
    public record Entry(String importer, Import imp, Export export) {
    }

    private final Map<Entry, ImportWiring.Wired> wired = new LinkedHashMap<>();

    /** Changes the wired imports to {@code wanted}. Accounts must exist in {@code registry}. */
    synchronized void reconcile(List<Entry> wanted, Accounts registry) {
        var it = wired.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (!wanted.contains(e.getKey())) {
                e.getValue().unwire();
                it.remove();
            }
        }
        for (Entry e : wanted) {
            if (wired.containsKey(e)) continue;
            wired.put(e, ImportWiring.wire(registry.get(e.importer()), registry.get(e.imp().account()), e.imp(), e.export()));
        }
    }

    /** How many imports are wired (for tests and logs). */
    public synchronized int size() {
        return wired.size();
    }
}
