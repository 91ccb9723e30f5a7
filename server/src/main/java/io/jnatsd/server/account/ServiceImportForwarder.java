package io.jnatsd.server.account;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;

/**
 * A service import: subscribes in the importing account on the import's local subject and
 * forwards each request into the exporting account, with its reply rewritten so that the
 * responses find their way back ({@link ServiceResponses}).
 */
final class ServiceImportForwarder implements Subscriber {
    private final Account importer;
    private final Account exporter;
    private final SubjectMapping toExportSubject;
    private final ServiceResponses responses;
    private final boolean singleton;

    ServiceImportForwarder(Account importer, Account exporter, SubjectMapping toExportSubject,
                           ServiceResponses responses, boolean singleton) {
        this.importer = importer;
        this.exporter = exporter;
        this.toExportSubject = toExportSubject;
        this.responses = responses;
        this.singleton = singleton;
    }

    Account exporter() {
        return exporter;
    }

    String exportSubject(String localSubject) {
        return toExportSubject.apply(localSubject);
    }

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch batch) {
        if (!ImportDepth.enter()) return false;
        try {
            String reply = !msg.hasReply() ? null
                    : ServiceResponses.keepsReply(msg) ? msg.reply()
                    : responses.register(importer, msg.reply(), singleton);
            String to = toExportSubject.apply(msg.subject());
            if (batch.trace() != null) batch.trace().serviceImport(exporter.name(), msg.subject(), to);
            return exporter.publish(msg.rewritten(to, reply), null, batch) > 0;
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
