package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.core.Account;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** An account's JetStream state: its streams (by name, sorted as upstream lists them) and API counters. */
public final class JsAccount {
    public final Account account;
    public final Map<String, Stream> streams = new TreeMap<>();
    public final AtomicLong apiTotal = new AtomicLong();
    public final AtomicLong apiErrors = new AtomicLong();
    /** From the account's {@code jetstream {}} block. */
    public volatile JsLimits.AccountLimits limits = JsLimits.AccountLimits.UNLIMITED;
    /** Bytes stored, as counted for the limits. */
    final JsLimits.Usage usage = new JsLimits.Usage();

    public JsAccount(Account account) {
        this.account = account;
    }

    public synchronized Stream stream(String name) {
        return streams.get(name);
    }

    /**
     * The subjects a consumer of a stream with {@code cfg} may filter on: its own, plus those of
     * its mirror's or sources' origins, followed through their own mirrors and sources (upstream's
     * gatherSourceMirrorSubjects, which also ignores the sources' filters and transforms). Null
     * when an external origin is reached, whose subjects cannot be known: then any filter goes.
     */
    public synchronized List<String> filterableSubjects(StreamConfig cfg) {
        List<String> subjects = new ArrayList<>(cfg.subjects == null ? List.of() : cfg.subjects);
        boolean external = cfg.isMirror()
                ? gatherOrigin(cfg.mirror, new HashSet<>(), subjects)
                : gatherOrigins(cfg.sources, new HashSet<>(), subjects);
        return external ? null : subjects;
    }

    /** Adds the subjects of {@code origins}; true when one of them is external. */
    private boolean gatherOrigins(List<StreamConfig.Source> origins, Set<String> seen, List<String> into) {
        if (origins == null) return false;
        for (StreamConfig.Source o : origins) {
            if (gatherOrigin(o, seen, into)) return true;
        }
        return false;
    }

    private boolean gatherOrigin(StreamConfig.Source origin, Set<String> seen, List<String> into) {
        if (origin.external != null) return true;
        if (!seen.add(origin.name)) return false;
        Stream s = streams.get(origin.name);
        if (s == null) {
            seen.remove(origin.name);
            return false;
        }
        StreamConfig c = s.config();
        if (c.subjects != null) into.addAll(c.subjects);
        return c.isMirror() ? gatherOrigin(c.mirror, seen, into) : gatherOrigins(c.sources, seen, into);
    }

    /**
     * The stream that answers direct gets addressed to {@code name}: that stream when it allows
     * them, else a mirror of it with mirror_direct (upstream's mirrors join the origin's direct-get
     * queue group, so a mirror answers for an origin that is not there or does not serve them).
     */
    public synchronized Stream directGetServer(String name) {
        Stream s = streams.get(name);
        if (s != null && s.config().allowDirect) return s;
        for (Stream m : streams.values()) {
            StreamConfig c = m.config();
            if (c.mirrorDirect && c.mirror != null && name.equals(c.mirror.name) && c.mirror.external == null) return m;
        }
        return null;
    }
}
