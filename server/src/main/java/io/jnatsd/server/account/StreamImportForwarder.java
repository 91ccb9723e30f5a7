package io.jnatsd.server.account;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;

/**
 * A stream import: subscribes in the exporting account and republishes each message into the
 * importing account under the import's subject (renamed by prefix or {@code to}).
 */
final class StreamImportForwarder implements Subscriber {
    private final Account importer;
    private final SubjectMapping mapping;

    StreamImportForwarder(Account importer, SubjectMapping mapping) {
        this.importer = importer;
        this.mapping = mapping;
    }

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch batch) {
        if (!ImportDepth.enter()) return false;
        try {
            String to = mapping.apply(msg.subject());
            if (batch.trace() != null) batch.trace().streamExport(importer.name(), to);
            return importer.publish(msg.rewritten(to, msg.reply()), null, batch) > 0;
        } finally {
            ImportDepth.exit();
        }
    }

    @Override
    public ConnectionKind kind() {
        return ConnectionKind.ACCOUNT;
    }

    @Override
    public boolean echo() {
        return true;
    }
}
