package io.jnatsd.server.gateway;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What an inbound connection told its peer about each account (upstream's insie map): the
 * subjects it sent RS- for while the account is optimistic, that the account is being or has
 * been switched to interest-only mode, or (a null entry) that it sent A-. Used only under the
 * {@link GatewayInterest} lock.
 */
final class InboundModes {
    enum Mode { OPTIMISTIC, TRANSITIONING, INTEREST_ONLY }

    static final class Entry {
        /** Subjects RS- was sent for; null once the account left optimistic mode. */
        Set<String> noInterest = new HashSet<>();
        Mode mode = Mode.OPTIMISTIC;
    }

    /** By account; a null value means A- was sent. */
    private final Map<String, Entry> byAccount = new HashMap<>();

    Entry get(String account) {
        return byAccount.get(account);
    }

    boolean accountUnsubSent(String account) {
        return byAccount.containsKey(account) && byAccount.get(account) == null;
    }

    /** Records A- for {@code account}; false when it was sent already. */
    boolean markAccountUnsub(String account) {
        if (accountUnsubSent(account)) return false;
        byAccount.put(account, null);
        return true;
    }

    void forget(String account) {
        byAccount.remove(account);
    }

    Entry getOrCreate(String account) {
        Entry e = byAccount.get(account);
        if (e == null) byAccount.put(account, e = new Entry());
        return e;
    }

    /** Per account, the mode upstream's /gatewayz shows for an inbound connection. */
    Map<String, Entry> snapshot() {
        return new HashMap<>(byAccount);
    }
}
