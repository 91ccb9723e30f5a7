package io.jnatsd.server.auth.jwt;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.auth.Permissions;
import io.jnatsd.server.auth.SubjectPermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fills in a scoped signing key's permission template for one user, as upstream does: a token
 * {@code {{name()}}}, {@code {{subject()}}}, {@code {{account-name()}}},
 * {@code {{account-subject()}}}, {@code {{tag(x)}}} or {@code {{account-tag(x)}}} becomes the
 * user's (or account's) value, one subject per value for tags. An allow entry that yields no
 * valid subject is dropped (and an allow list emptied that way becomes a deny of everything); a
 * deny entry that does makes the user invalid.
 */
final class PermissionTemplates {
    private PermissionTemplates() {
    }

    static Permissions apply(Permissions p, UserClaims user, AccountClaims account) throws JwtException {
        if (p == null) return null;
        SubjectPermission pub = side(p.publish(), user, account);
        SubjectPermission sub = side(p.subscribe(), user, account);
        return new Permissions(pub, sub, p.response());
    }

    private static SubjectPermission side(SubjectPermission sp, UserClaims user, AccountClaims account) throws JwtException {
        List<String> allow = sp.allow() == null ? null : expand(sp.allow(), false, user, account);
        List<String> deny = new ArrayList<>(expand(sp.deny(), true, user, account));
        if (sp.allow() != null && !sp.allow().isEmpty() && allow.isEmpty() && !deny.contains(">")) deny.add(">");
        return new SubjectPermission(allow, deny);
    }

    private static List<String> expand(List<String> entries, boolean failOnBad, UserClaims user, AccountClaims account)
            throws JwtException {
        List<String> out = new ArrayList<>();
        for (String entry : entries) {
            if (!entry.contains("{{")) {
                out.add(entry);
                continue;
            }
            List<String> subjects = new ArrayList<>(List.of(""));
            String[] tokens = entry.split("\\.", -1);
            for (int i = 0; i < tokens.length; i++) {
                List<String> values = values(tokens[i], user, account);
                List<String> next = new ArrayList<>(subjects.size() * Math.max(1, values.size()));
                for (String prefix : subjects) {
                    for (String v : values) next.add(i == 0 ? v : prefix + "." + v);
                }
                subjects = next;
            }
            boolean any = false;
            for (String s : subjects) {
                if (Subjects.isValidSubject(s)) {
                    out.add(s);
                    any = true;
                } else if (failOnBad) {
                    throw new JwtException("generated invalid subject");
                }
            }
            if (!any && failOnBad) throw new JwtException("generated invalid subject");
        }
        return out;
    }

    /** What one token stands for: itself, or the values of the function it names (none when unknown). */
    private static List<String> values(String token, UserClaims user, AccountClaims account) {
        if (!token.startsWith("{{") || !token.endsWith("}}")) return List.of(token);
        String op = token.substring(2, token.length() - 2).trim().toLowerCase(Locale.ROOT);
        switch (op) {
            case "name()" -> {
                return List.of(user.jwt().name());
            }
            case "subject()" -> {
                return List.of(user.subject());
            }
            case "account-name()" -> {
                return List.of(account.name());
            }
            case "account-subject()" -> {
                return List.of(account.subject());
            }
            default -> {
                boolean accountTag = op.startsWith("account-tag(");
                if ((accountTag || op.startsWith("tag(")) && op.endsWith(")")) {
                    String name = op.substring(op.indexOf('(') + 1, op.length() - 1) + ":";
                    List<String> tags = accountTag ? Fields.strings(account.jwt().nats().path("tags")) : user.tags();
                    List<String> found = new ArrayList<>();
                    for (String t : tags) {
                        if (t.toLowerCase(Locale.ROOT).startsWith(name)) found.add(t.substring(name.length()));
                    }
                    return found.isEmpty() ? List.of(" ") : found;
                }
                return List.of(" "); // an unknown function yields an invalid subject on purpose, as upstream
            }
        }
    }
}
