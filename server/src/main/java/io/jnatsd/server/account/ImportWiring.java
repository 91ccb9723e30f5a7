package io.jnatsd.server.account;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Connects two accounts for one import, the same way whether the config file or account JWTs
 * declare it: a stream import subscribes in the exporter and republishes into the importer; a
 * service import subscribes in the importer and forwards requests into the exporter, whose
 * responses find their way back through a {@link ServiceResponses} router.
 */
public final class ImportWiring {
    private ImportWiring() {
    }

    /** The subscriptions one wired import made, so that it can be taken apart again. */
    public static final class Wired {
        private final List<Account> accounts = new ArrayList<>(3);
        private final List<Subscription> subs = new ArrayList<>(3);
        private final String exporter;

        private Wired(String exporter) {
            this.exporter = exporter;
        }

        private void add(Account a, Subscription s) {
            a.subscribe(s);
            accounts.add(a);
            subs.add(s);
        }

        /** The exporting account's name. */
        public String exporter() {
            return exporter;
        }

        public void unwire() {
            for (int i = 0; i < subs.size(); i++) accounts.get(i).unsubscribe(subs.get(i));
            subs.clear();
            accounts.clear();
        }
    }

    /**
     * The first export of {@code exports} that covers the import's subject, of its kind, and
     * that {@code authorized} accepts; null when there is none.
     */
    public static Export findExport(List<Export> exports, Import imp, Predicate<Export> authorized) {
        for (Export e : exports) {
            if (e.service() == imp.service() && Subjects.subjectIsSubsetOf(imp.subject(), e.subject()) && authorized.test(e)) {
                return e;
            }
        }
        return null;
    }

    /** Wires {@code imp} of {@code importer} from {@code exporter}, whose {@code export} allows it. */
    public static Wired wire(Account importer, Account exporter, Import imp, Export export) {
        Wired w = new Wired(exporter.name());
        if (imp.service()) {
            String local = imp.to() == null ? imp.subject() : imp.to();
            ServiceResponses responses = new ServiceResponses(export.responseThreshold().toNanos());
            ServiceResponses followUps = new ServiceResponses(export.responseThreshold().toNanos());
            ServiceResponses.pair(responses, exporter, followUps, importer);
            w.add(exporter, new Subscription(responses, responses.subscriptionSubject(), null, "service-responses"));
            w.add(importer, new Subscription(followUps, followUps.subscriptionSubject(), null, "service-follow-ups"));
            ServiceImportForwarder f = new ServiceImportForwarder(importer, exporter,
                    new SubjectMapping(local, imp.subject()), responses, export.responseType().equals("singleton"));
            w.add(importer, new Subscription(f, local, null, "service-import"));
        } else {
            SubjectMapping mapping = imp.prefix() != null ? SubjectMapping.prefix(imp.subject(), imp.prefix())
                    : new SubjectMapping(imp.subject(), imp.to() == null ? imp.subject() : imp.to());
            w.add(exporter, new Subscription(new StreamImportForwarder(importer, mapping), imp.subject(), null, "stream-import"));
        }
        return w;
    }
}
