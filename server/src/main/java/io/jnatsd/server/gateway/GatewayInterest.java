package io.jnatsd.server.gateway;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.server.core.SubscriptionListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This cluster's interest as the other clusters must see it (upstream's pasi tally): per
 * account, how many subscriptions of this server and its routes and leaf nodes each subject and
 * queue group has. The first and last of each go to every inbound connection, as upstream
 * sends them: queue groups always (RS+ with weight 1, RS-), plain subjects when the account is
 * in interest-only mode for that connection, or to undo an RS- or A- sent before. Everything
 * that reads or changes what an inbound connection told its peer ({@link InboundModes}) runs
 * under this object's lock, so no change slips between a replay and the events after it.
 */
final class GatewayInterest implements SubscriptionListener {
    /** Upstream's gatewayMaxRUnsubBeforeSwitch: after this many RS- an account turns interest-only. */
    static final int MAX_NO_INTEREST_BEFORE_SWITCH = 1000;

    private record Tally(String subject, String queue, int[] n) {}

    private final String gatewayName;
    private final Map<String, Map<String, Tally>> byAccount = new HashMap<>();
    private final Set<String> accounts = new LinkedHashSet<>();
    private final List<GatewayConnection> inbound = new ArrayList<>();
    private final RecentSubscriptions recent;
    /** Upstream 2.9's default: every account of an inbound connection turns interest-only at once. */
    private final boolean interestOnlyAtOnce;

    GatewayInterest(String gatewayName, RecentSubscriptions recent, boolean interestOnlyAtOnce) {
        this.gatewayName = gatewayName;
        this.recent = recent;
        this.interestOnlyAtOnce = interestOnlyAtOnce;
    }

    /** A new account (or one there at start): its interest is tallied; inbound peers switch it to interest-only. */
    void accountAdded(Account a) {
        synchronized (this) {
            if (!accounts.add(a.name())) return;
        }
        a.addSubscriptionListener(this);
        if (!interestOnlyAtOnce) return;
        synchronized (this) {
            for (GatewayConnection c : inbound) switchToInterestOnly(c, a.name());
        }
    }

    @Override
    public void subscriptionChanged(Account account, Subscription sub, int delta) {
        if (!sub.kind().interestReaches(ConnectionKind.GATEWAY) || delta == 0) return;
        if (delta > 0) recent.added(account.name(), sub.subject());
        synchronized (this) {
            String key = sub.queue() == null ? sub.subject() : sub.subject() + " " + sub.queue();
            Map<String, Tally> tallies = byAccount.computeIfAbsent(account.name(), k -> new HashMap<>());
            Tally t = tallies.get(key);
            if (t == null) {
                if (delta < 0) return;
                tallies.put(key, t = new Tally(sub.subject(), sub.queue(), new int[1]));
            }
            int before = t.n()[0];
            t.n()[0] += delta;
            boolean first = before <= 0 && t.n()[0] > 0;
            boolean last = t.n()[0] <= 0;
            if (last) {
                tallies.remove(key);
                if (tallies.isEmpty()) byAccount.remove(account.name());
            }
            if (!first && !last) return;
            for (GatewayConnection c : inbound) {
                if (t.queue() != null) queueChanged(c, account.name(), t, first);
                else plainChanged(c, account.name(), t.subject(), first);
            }
        }
    }

    /** Upstream's sendQueueSubOrUnsubToGateways: queue interest is always sent, with weight 1. */
    private void queueChanged(GatewayConnection c, String account, Tally t, boolean added) {
        if (added && c.modes().accountUnsubSent(account)) c.modes().forget(account);
        String line = (added ? "RS+ " : "RS- ") + account + " " + t.subject() + " " + t.queue() + (added ? " 1" : "") + "\r\n";
        c.sendLine(ascii(line));
    }

    /** Upstream's maybeSendSubOrUnsubToGateways for one inbound connection. */
    private void plainChanged(GatewayConnection c, String account, String subject, boolean added) {
        InboundModes modes = c.modes();
        InboundModes.Entry e = modes.get(account);
        boolean send = false;
        if (e != null) {
            if (e.noInterest != null && added) {
                if (Subjects.isLiteral(subject)) send = e.noInterest.remove(subject);
                else send = e.noInterest.removeIf(k -> Subjects.subjectMatchesFilter(k, subject));
            } else if (e.mode == InboundModes.Mode.INTEREST_ONLY) {
                send = true;
            }
        } else if (added && modes.accountUnsubSent(account)) {
            modes.forget(account);
            c.sendLine(ascii("A+ " + account + "\r\n"));
            return;
        }
        if (send) c.sendLine(ascii((added ? "RS+ " : "RS- ") + account + " " + subject + "\r\n"));
    }

    /**
     * A new inbound connection: it hears every queue group of every account, then (upstream
     * 2.9's default) every account is switched to interest-only mode for it.
     */
    synchronized void register(GatewayConnection c) {
        inbound.add(c);
        ByteArrayOutputStream queues = new ByteArrayOutputStream();
        for (var e : byAccount.entrySet()) {
            for (Tally t : e.getValue().values()) {
                if (t.queue() != null) queues.writeBytes(ascii("RS+ " + e.getKey() + " " + t.subject() + " " + t.queue() + " 1\r\n"));
            }
        }
        if (queues.size() > 0) c.sendLine(queues.toByteArray());
        if (!interestOnlyAtOnce) return;
        for (String account : accounts) switchToInterestOnly(c, account);
    }

    synchronized void unregister(GatewayConnection c) {
        inbound.remove(c);
    }

    /**
     * Upstream's gatewaySwitchAccountToSendAllSubs: the start command, an RS+ for every plain
     * subject of the account, the end command. From then on every plain change is sent.
     */
    private void switchToInterestOnly(GatewayConnection c, String account) {
        InboundModes.Entry e = c.modes().getOrCreate(account);
        if (e.mode != InboundModes.Mode.OPTIMISTIC) return;
        e.noInterest = null;
        e.mode = InboundModes.Mode.TRANSITIONING;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(GatewayJson.commandLine(gatewayName, GatewayJson.CMD_ALL_SUBS_START, account));
        Map<String, Tally> tallies = byAccount.get(account);
        if (tallies != null) {
            for (Tally t : tallies.values()) {
                if (t.queue() == null) out.writeBytes(ascii("RS+ " + account + " " + t.subject() + "\r\n"));
            }
        }
        out.writeBytes(GatewayJson.commandLine(gatewayName, GatewayJson.CMD_ALL_SUBS_COMPLETE, account));
        e.mode = InboundModes.Mode.INTEREST_ONLY;
        c.sendLine(out.toByteArray());
    }

    /**
     * A message came in for which this cluster has no plain subscriber (upstream's
     * gatewayHandleSubjectNoInterest and gatewayHandleAccountNoInterest): RS- for the subject
     * while the account is optimistic (after too many, the switch to interest-only), or A- when
     * the account has no subscription at all (or does not exist here).
     */
    synchronized void noInterest(GatewayConnection c, String accountName, String subject) {
        // the tally, not the account's index: that holds gateways' own subscriptions too
        Map<String, Tally> tallies = byAccount.get(accountName);
        boolean hasSubs = tallies != null && !tallies.isEmpty();
        if (!hasSubs) {
            if (c.modes().markAccountUnsub(accountName)) c.sendLine(ascii("A- " + accountName + "\r\n"));
            return;
        }
        InboundModes.Entry e = c.modes().get(accountName);
        if (e == null) {
            e = c.modes().getOrCreate(accountName);
            e.noInterest.add(subject);
        } else if (e.noInterest == null || e.noInterest.contains(subject)) {
            return;
        } else if (e.noInterest.size() >= MAX_NO_INTEREST_BEFORE_SWITCH) {
            switchToInterestOnly(c, accountName);
            return;
        } else {
            e.noInterest.add(subject);
        }
        c.sendLine(ascii("RS- " + accountName + " " + subject + "\r\n"));
    }

    synchronized Map<String, InboundModes.Entry> modesOf(GatewayConnection c) {
        return c.modes().snapshot();
    }


    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
