package io.jnatsd.server.monitor;

import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.core.Subscription;
import java.util.Map;

/** One subscription as /connz and /subsz list it in detail. */
record SubDetail(String account, String subject, String queue, String sid, long msgs, long max, long cid) {

    static SubDetail of(Subscription sub, String account) {
        long cid = sub.owner() instanceof ClientConnection c ? c.cid() : 0;
        long max = sub.max();
        // Deliveries refused past an auto-unsubscribe limit are counted by claimDelivery; not sent.
        long msgs = max > 0 ? Math.min(sub.delivered(), max) : sub.delivered();
        return new SubDetail(account, sub.subject(), sub.queue(), sub.sid(), msgs, max, cid);
    }

    SubDetail withoutAccount() {
        return new SubDetail(null, subject, queue, sid, msgs, max, cid);
    }

    Map<String, Object> toJson() {
        Map<String, Object> o = Json.object();
        if (account != null && !account.isEmpty()) o.put("account", account);
        o.put("subject", subject);
        if (queue != null && !queue.isEmpty()) o.put("qgroup", queue);
        o.put("sid", sid);
        o.put("msgs", msgs);
        if (max != 0) o.put("max", max);
        o.put("cid", cid);
        return o;
    }
}
