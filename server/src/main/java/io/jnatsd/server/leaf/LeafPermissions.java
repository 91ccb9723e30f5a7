package io.jnatsd.server.leaf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.auth.Permissions;
import io.jnatsd.server.auth.SubjectPermission;
import io.jnatsd.server.conn.PeerJson;
import java.util.ArrayList;
import java.util.List;

/**
 * The permissions of the user a leaf node authenticated as, applied to its connection as
 * upstream applies them, on both sides. The user's view is the leaf's: it may publish what
 * {@code publish} allows and receive what {@code subscribe} allows. So the hub sends it only
 * messages its subscribe permissions allow, and tells it only of interest its publish
 * permissions allow (so that it forwards nothing else); the hub's INFO carries both lists
 * ({@code import}: subscribe, {@code export}: publish) and the leaf enforces the same from
 * its side. A wildcard interest passes when some allowed subject lies within it; the messages
 * are then pruned one by one as they are sent.
 */
final class LeafPermissions {
    /** Messages that may be sent over this connection (and literal interest the other side may announce). */
    private final SubjectPermission send;
    /** Interest that may be announced over this connection. */
    private final SubjectPermission announce;

    private LeafPermissions(SubjectPermission send, SubjectPermission announce) {
        this.send = send;
        this.announce = announce;
    }

    /** The hub's side for a leaf user with {@code user}'s permissions; null when they allow everything. */
    static LeafPermissions hub(Permissions user) {
        if (user == null || user.isAllowAll()) return null;
        return new LeafPermissions(user.subscribe(), user.publish());
    }

    /** The leaf's side, from the hub's INFO ({@code import}, {@code export}); null when it has neither. */
    static LeafPermissions fromInfo(JsonNode info) {
        SubjectPermission imports = read(info.get("import"));
        SubjectPermission exports = read(info.get("export"));
        if (imports == null && exports == null) return null;
        return new LeafPermissions(exports == null ? SubjectPermission.ALLOW_ALL : exports,
                imports == null ? SubjectPermission.ALLOW_ALL : imports);
    }

    /** Puts the user's lists into the hub's INFO, as upstream's Import and Export. */
    static void toInfo(Permissions user, ObjectNode info) {
        if (user == null || user.isAllowAll()) return;
        write(user.subscribe(), info, "import");
        write(user.publish(), info, "export");
    }

    boolean maySend(String subject) {
        return allowed(send, subject, false);
    }

    boolean mayAnnounce(String subject) {
        return allowed(announce, subject, true);
    }

    private static boolean allowed(SubjectPermission p, String subject, boolean interest) {
        if (p.allow() != null) {
            boolean ok = p.allow().stream().anyMatch(a -> Subjects.subjectMatchesFilter(subject, a));
            if (!ok && interest && !Subjects.isLiteral(subject)) {
                ok = p.allow().stream().anyMatch(a -> Subjects.subjectIsSubsetOf(a, subject));
            }
            if (!ok) return false;
        }
        return p.deny().stream().noneMatch(d -> Subjects.subjectMatchesFilter(subject, d));
    }

    private static SubjectPermission read(JsonNode n) {
        if (n == null || !n.isObject()) return null;
        return new SubjectPermission(PeerJson.strings((ObjectNode) n, "allow"), strings(n.get("deny")));
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) n.forEach(s -> out.add(s.asText()));
        return out;
    }

    private static void write(SubjectPermission p, ObjectNode info, String field) {
        if (p == null || p.isAllowAll()) return;
        ObjectNode o = info.putObject(field);
        if (p.allow() != null) p.allow().forEach(o.putArray("allow")::add);
        if (!p.deny().isEmpty()) p.deny().forEach(o.putArray("deny")::add);
    }
}
