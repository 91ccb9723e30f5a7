package io.jnatsd.server.jetstream.api;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import java.util.Map;

/**
 * A JetStream domain's API subjects in one account: {@code $JS.<domain>.API.STREAM.>} becomes
 * {@code $JS.API.STREAM.>}, {@code $JS.<domain>.API.$KV.>} becomes {@code $KV.>} and so on,
 * as upstream's generateJSMappingTable maps them, then routes on as if published so (the
 * publisher kept, on its thread, in order). Its subscriptions are what a client of another
 * domain sees across a leaf connection: interest in exactly these subjects, so anything else
 * under the prefix finds no responders, as upstream.
 *
 * <p>It is import plumbing ({@link ConnectionKind#ACCOUNT}): carried out where the message
 * was published, never told to routes or acted on for a message that came over one, so a
 * cluster answers each request once.
 */
public final class DomainMapping implements Subscriber {
    /** Upstream's table: what follows {@code $JS.<domain>.API.}, and what it stands for. */
    private static final Map<String, String> TABLE = Map.of(
            "INFO", "$JS.API.INFO",
            "STREAM.>", "$JS.API.STREAM.",
            "CONSUMER.>", "$JS.API.CONSUMER.",
            "DIRECT.>", "$JS.API.DIRECT.",
            "META.>", "$JS.API.META.",
            "SERVER.>", "$JS.API.SERVER.",
            "ACCOUNT.>", "$JS.API.ACCOUNT.",
            "$KV.>", "$KV.",
            "$OBJ.>", "$OBJ.");

    private final Account account;
    private final String prefix;

    private DomainMapping(Account account, String domain) {
        this.account = account;
        this.prefix = "$JS." + domain + ".API.";
    }

    /** Maps {@code domain}'s API in {@code account} from now on. */
    public static void install(Account account, String domain) {
        DomainMapping m = new DomainMapping(account, domain);
        int n = 0;
        for (String source : TABLE.keySet()) {
            account.subscribe(new Subscription(m, m.prefix + source, null, "jsdomain-" + (++n)));
        }
    }

    /** The mapped subject, or null when {@code subject} is not one of the table's. */
    String map(String subject) {
        if (!subject.startsWith(prefix)) return null;
        String rest = subject.substring(prefix.length());
        if (rest.equals("INFO")) return TABLE.get("INFO");
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) return null;
        String to = TABLE.get(rest.substring(0, dot) + ".>");
        return to == null ? null : to + rest.substring(dot + 1);
    }

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch batch) {
        String to = map(msg.subject());
        if (to == null) return false;
        return account.publish(msg.rewritten(to, msg.hasReply() ? msg.reply() : null), batch.origin(), batch) > 0;
    }

    @Override
    public boolean echo() {
        return true;
    }

    @Override
    public ConnectionKind kind() {
        return ConnectionKind.ACCOUNT;
    }
}
