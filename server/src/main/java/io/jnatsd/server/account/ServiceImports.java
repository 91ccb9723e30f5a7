package io.jnatsd.server.account;

import io.jnatsd.protocol.subject.MatchResult;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.Subscription;

/** Where a request published in an account would go through its service imports. */
public final class ServiceImports {
    /** The account a service import leads to and the subject the request arrives on there. */
    public record Target(Account account, String subject) {}

    private ServiceImports() {}

    /** The service import that serves {@code subject} in {@code importer}, or null when none does. */
    public static Target resolve(Account importer, String subject) {
        MatchResult<Subscription> m = importer.subscriptions().match(subject);
        for (int i = 0, n = m.plainCount(); i < n; i++) {
            if (m.plain(i).owner() instanceof ServiceImportForwarder f) {
                return new Target(f.exporter(), f.exportSubject(subject));
            }
        }
        return null;
    }
}
