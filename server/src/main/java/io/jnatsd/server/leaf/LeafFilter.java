package io.jnatsd.server.leaf;

import io.jnatsd.protocol.subject.Subjects;
import java.util.List;

/**
 * What may cross one leaf connection, each way, as upstream's permissions on a leaf connection
 * add up: JetStream's own subjects never (upstream's denyAllClientJs, or denyAllJs for the system
 * account); a remote's {@code deny_imports} (interest not told) and {@code deny_exports}, or on
 * the hub the leaf's {@code deny_pub} (messages not sent, interest in them not taken); this
 * server's own JetStream domain API towards a side of another domain; and the leaf user's
 * permissions ({@link LeafPermissions}). Loop detection ({@code $LDS.}) and gateway reply
 * ({@code _GR_.}) subjects are never held back by the deny lists or permissions.
 */
final class LeafFilter {
    /** The other side's interest: taken, ignored, or a permissions violation. */
    enum Interest { TAKE, IGNORE, VIOLATION }

    /** Interest not told to the other side (the remote's deny_imports). */
    private final LeafDenyList imports;
    private volatile LeafDenyList jetStream = LeafDenyList.JETSTREAM;
    /** Messages not sent, and the other side's interest in them not taken. */
    private volatile LeafDenyList sending;
    private volatile LeafPermissions permissions;

    /** For a solicited connection, {@code remote}'s lists; for an accepted one (null), none yet. */
    LeafFilter(LeafRemote remote) {
        this.imports = remote == null ? new LeafDenyList(List.of()) : remote.imports;
        this.sending = remote == null ? new LeafDenyList(List.of()) : remote.exports;
    }

    /** The account bound: the system account's connection holds back clustered JetStream's subjects too. */
    void bound(boolean systemAccount) {
        jetStream = systemAccount ? LeafDenyList.JETSTREAM_SYSTEM : LeafDenyList.JETSTREAM;
    }

    /** The leaf's CONNECT named {@code deny_pub} (its deny_imports): merged as upstream does. */
    void denySending(List<String> subjects) {
        if (subjects != null) sending = new LeafDenyList(subjects);
    }

    /** Also never sent: {@code subject} (and everything within it). */
    void keepHome(String subject) {
        sending = sending.with(subject);
    }

    void permissions(LeafPermissions p) {
        permissions = p;
    }

    /** Whether interest in {@code subject} here is told to the other side. */
    boolean announces(String subject) {
        if (subject.startsWith("$LDS.")) return true;
        if (jetStream.denies(subject) || imports.denies(subject)) return false;
        LeafPermissions p = permissions;
        return p == null || subject.startsWith("_GR_.") || p.mayAnnounce(subject);
    }

    /** What becomes of the other side's interest in {@code subject}. */
    Interest takes(String subject) {
        if (jetStream.denies(subject)) return Interest.IGNORE;
        if (subject.startsWith("$LDS.")) return Interest.TAKE;
        if (sending.denies(subject)) return Interest.IGNORE;
        LeafPermissions p = permissions;
        if (p != null && !subject.startsWith("_GR_.") && Subjects.isLiteral(subject) && !p.maySend(subject)) {
            return Interest.VIOLATION;
        }
        return Interest.TAKE;
    }

    /** Whether a message on {@code subject} is sent over the connection. */
    boolean sends(String subject) {
        if (subject.charAt(0) == '$' && jetStream.denies(subject)) return false;
        LeafDenyList deny = sending;
        if (!deny.isEmpty() && deny.denies(subject)) return false;
        LeafPermissions p = permissions;
        return p == null || p.maySend(subject);
    }
}
