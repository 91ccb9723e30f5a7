package io.jnatsd.server.cluster;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.config.ClusterOptions;
import java.util.List;

/**
 * The cluster's {@code permissions}, as upstream applies them to routes: {@code import} limits
 * the interest this server announces (so it is only sent messages it may import), and
 * {@code export} limits the interest it accepts from peers (so it only sends what it may
 * export). A subject with wildcards passes when it lies within an allowed entry and overlaps no
 * denied one.
 */
final class RoutePermissionFilter {
    private final ClusterOptions.AllowDeny rules;

    private RoutePermissionFilter(ClusterOptions.AllowDeny rules) {
        this.rules = rules;
    }

    static RoutePermissionFilter of(ClusterOptions.AllowDeny rules) {
        return new RoutePermissionFilter(rules);
    }

    boolean allows(String subject) {
        if (rules == null) return true;
        List<String> allow = rules.allow();
        if (allow != null && allow.stream().noneMatch(a -> Subjects.subjectIsSubsetOf(subject, a))) return false;
        return rules.deny().stream().noneMatch(d -> Subjects.subjectsCollide(subject, d));
    }
}
