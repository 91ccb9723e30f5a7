package io.jnatsd.server.leaf;

import io.jnatsd.protocol.subject.Subjects;
import java.util.List;

/**
 * Subjects that may not cross a leaf connection in one direction, as upstream's deny
 * permissions on leaf connections work: a message is refused when its subject lies within a
 * denied one, and so is a subscription (its subject taken token by token, wildcards and all),
 * so that a wider subscription ({@code >}) still crosses and only the denied messages stay
 * behind.
 */
final class LeafDenyList {
    /**
     * What never crosses a leaf connection without JetStream domains (upstream's denyAllJs,
     * added to every leaf connection whose JetStream is not extended): each side's JetStream
     * API answers for itself.
     */
    static final LeafDenyList JETSTREAM = new LeafDenyList(List.of("$JSC.>", "$NRG.>", "$JS.API.>", "$KV.>", "$OBJ.>"));

    private final List<String> denied;

    LeafDenyList(List<String> denied) {
        this.denied = List.copyOf(denied);
    }

    /** This list and {@code subject} besides. */
    LeafDenyList with(String subject) {
        List<String> more = new java.util.ArrayList<>(denied);
        more.add(subject);
        return new LeafDenyList(more);
    }

    boolean denies(String subject) {
        for (String d : denied) {
            if (Subjects.subjectIsSubsetOf(subject, d)) return true;
        }
        return false;
    }

    boolean isEmpty() {
        return denied.isEmpty();
    }
}
