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
}
