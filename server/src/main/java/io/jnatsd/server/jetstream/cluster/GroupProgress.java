package io.jnatsd.server.jetstream.cluster;

import io.jnatsd.raft.ReplicatedLog;
import io.jnatsd.server.core.NameHash;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Raft group's members other than one (its leader, or this server) as upstream's monitoring
 * lists them: name, whether current (it has committed as far as the furthest member), and how far
 * behind; {@code active} is 0 (Ratis does not say when a member was last heard from).
 */
final class GroupProgress {
    private GroupProgress() {}

    /** Empty while the group's progress is not known yet. */
    static List<Map<String, Object>> others(ReplicatedLog r, String except, boolean withPeerHash) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (r == null) return out;
        try {
            List<ReplicatedLog.MemberProgress> progress = r.progress();
            long top = progress.stream().mapToLong(ReplicatedLog.MemberProgress::commitIndex).max().orElse(0);
            for (ReplicatedLog.MemberProgress p : progress) {
                if (p.id().equals(except)) continue;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", p.id());
                m.put("current", p.commitIndex() >= top);
                m.put("active", 0);
                if (top > p.commitIndex()) m.put("lag", top - p.commitIndex());
                if (withPeerHash) m.put("peer", NameHash.of(p.id(), 8));
                out.add(m);
            }
        } catch (IOException e) {
            out.clear(); // the group went away meanwhile: nothing to list
        }
        return out;
    }
}
