package io.jnatsd.server.auth.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.auth.Permissions;
import io.jnatsd.server.auth.ResponsePermission;
import io.jnatsd.server.auth.SubjectPermission;
import java.time.Duration;
import java.util.List;

/**
 * Permissions as claims write them: {@code pub} and {@code sub} with {@code allow}/{@code deny}
 * lists, and {@code resp: {max, ttl}} (ttl in nanoseconds), read the way upstream builds its
 * permissions from them: a side with neither list allows everything, and {@code resp} turns the
 * blanket publish allowance off (only replies then), with max 1 and 2 minutes as defaults.
 */
final class JwtPermissions {
    private JwtPermissions() {
    }

    /** The permissions in {@code holder} (a user's {@code nats} section or a template), or null when it sets none. */
    static Permissions read(JsonNode holder) {
        SubjectPermission pub = side(holder.path("pub"));
        SubjectPermission sub = side(holder.path("sub"));
        JsonNode resp = holder.path("resp");
        ResponsePermission response = null;
        if (resp.isObject()) {
            int max = resp.path("max").asInt(0);
            Duration ttl = Duration.ofNanos(resp.path("ttl").asLong(0));
            response = new ResponsePermission(max == 0 ? ResponsePermission.DEFAULT.maxMsgs() : max,
                    ttl.isZero() ? ResponsePermission.DEFAULT.expires() : ttl);
        }
        if (pub == null && sub == null && response == null) return null;
        return Permissions.of(pub == null ? SubjectPermission.ALLOW_ALL : pub,
                sub == null ? SubjectPermission.ALLOW_ALL : sub, response);
    }

    /** Whether {@code holder} sets any permission at all. */
    static boolean isEmpty(JsonNode holder) {
        return side(holder.path("pub")) == null && side(holder.path("sub")) == null && !holder.path("resp").isObject();
    }

    private static SubjectPermission side(JsonNode n) {
        List<String> allow = Fields.strings(n.path("allow"));
        List<String> deny = Fields.strings(n.path("deny"));
        if (allow.isEmpty() && deny.isEmpty()) return null;
        return new SubjectPermission(allow.isEmpty() ? null : allow, deny);
    }
}
