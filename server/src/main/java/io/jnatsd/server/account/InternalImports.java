package io.jnatsd.server.account;

import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.Subscription;

/**
 * Service imports the server sets up itself, wired exactly as configured ones are: the system
 * account's services that every account may call ({@code $SYS.REQ.SERVER.PING.CONNZ} answers
 * with the caller's own account, for example). One response router serves them all.
 */
public final class InternalImports {
    private static final long RESPONSE_THRESHOLD_NANOS = 120_000_000_000L;

    private final Account exporter;
    private final ServiceResponses responses = new ServiceResponses(RESPONSE_THRESHOLD_NANOS);

    public InternalImports(Account exporter) {
        this.exporter = exporter;
        exporter.subscribe(new Subscription(responses, responses.subscriptionSubject(), null, "service-responses"));
    }

    /** A request published on {@code local} in {@code importer} goes to {@code target} in the exporter; one reply returns. */
    public void add(Account importer, String local, String target) {
        ServiceImportForwarder f = new ServiceImportForwarder(importer, exporter, new SubjectMapping(local, target),
                responses, true);
        importer.subscribe(new Subscription(f, local, null, "service-import"));
    }
}
