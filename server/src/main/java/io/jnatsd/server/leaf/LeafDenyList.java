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
     * What never crosses a leaf connection of an ordinary account (upstream's denyAllClientJs):
     * each side's JetStream API answers for itself, and buckets are reached by their domain.
     */
    static final LeafDenyList JETSTREAM = new LeafDenyList(List.of("$JS.API.>", "$KV.>", "$OBJ.>"));

    /**
     * What never crosses a leaf connection of the system account (upstream's denyAllJs, as
     * JetStream is not extended across leaf connections here): the above, and the clustered
     * JetStream's own traffic besides.
     */
    static final LeafDenyList JETSTREAM_SYSTEM = new LeafDenyList(List.of("$JSC.>", "$NRG.>", "$JS.API.>", "$KV.>", "$OBJ.>"));

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
