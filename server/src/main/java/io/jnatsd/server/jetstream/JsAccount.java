package io.jnatsd.server.jetstream;

import io.jnatsd.server.core.Account;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** An account's JetStream state: its streams (by name, sorted as upstream lists them) and API counters. */
final class JsAccount {
    final Account account;
    final Map<String, Stream> streams = new TreeMap<>();
    final AtomicLong apiTotal = new AtomicLong();
    final AtomicLong apiErrors = new AtomicLong();
    /** From the account's {@code jetstream {}} block. */
    volatile JsLimits.AccountLimits limits = JsLimits.AccountLimits.UNLIMITED;
    /** Bytes stored, as counted for the limits. */
    final JsLimits.Usage usage = new JsLimits.Usage();

    JsAccount(Account account) {
        this.account = account;
    }

    synchronized Stream stream(String name) {
        return streams.get(name);
    }

    /**
     * The stream that answers direct gets addressed to {@code name}: that stream when it allows
     * them, else a mirror of it with mirror_direct (upstream's mirrors join the origin's direct-get
     * queue group, so a mirror answers for an origin that is not there or does not serve them).
     */
    synchronized Stream directGetServer(String name) {
        Stream s = streams.get(name);
        if (s != null && s.config().allowDirect) return s;
        for (Stream m : streams.values()) {
            StreamConfig c = m.config();
            if (c.mirrorDirect && c.mirror != null && name.equals(c.mirror.name) && c.mirror.external == null) return m;
        }
        return null;
    }
}
