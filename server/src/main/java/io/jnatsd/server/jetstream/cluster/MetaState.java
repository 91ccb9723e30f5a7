package io.jnatsd.server.jetstream.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the meta group has committed, as every JetStream server of the cluster holds it: each
 * account's stream assignments, by name. Rebuilt from the meta log at every start (the log is
 * kept whole: it is small).
 */
final class MetaState {
    private final Map<String, SortedMap<String, StreamAssignment>> streams = new HashMap<>();

    /** Applies a committed change; returns the assignment it replaced (null when new). */
    synchronized StreamAssignment apply(MetaEntry e) {
        StreamAssignment sa = e.stream();
        SortedMap<String, StreamAssignment> acc = streams.computeIfAbsent(sa.account(), a -> new TreeMap<>());
        return switch (e.op()) {
            case ADD_STREAM, UPDATE_STREAM -> acc.put(sa.name(), sa);
            case DELETE_STREAM -> acc.remove(sa.name());
        };
    }

    synchronized StreamAssignment stream(String account, String name) {
        SortedMap<String, StreamAssignment> acc = streams.get(account);
        return acc == null ? null : acc.get(name);
    }

    /** The account's assignments, sorted by stream name. */
    synchronized List<StreamAssignment> streams(String account) {
        SortedMap<String, StreamAssignment> acc = streams.get(account);
        return acc == null ? List.of() : new ArrayList<>(acc.values());
    }

    /** How many streams each server hosts, for placement. */
    synchronized Map<String, Integer> load() {
        Map<String, Integer> out = new HashMap<>();
        for (SortedMap<String, StreamAssignment> acc : streams.values()) {
            for (StreamAssignment sa : acc.values()) {
                for (String p : sa.peerNames()) out.merge(p, 1, Integer::sum);
            }
        }
        return out;
    }
}
