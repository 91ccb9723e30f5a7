package io.jnatsd.server.auth.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Claims written by the first JWT tooling (version 1), turned into the version-2 shape of the
 * {@code nats} section the claim records read, as upstream's jwt library migrates them.
 *
 * <p>Version 1 is recognised by a claim type at the top level ({@code "type":"user"}); its
 * signature covers the claims part alone. The top-level {@code type}, {@code tags} and
 * {@code issuer_account} move into {@code nats}; only the fields version 1 had are kept (so a v1
 * account has no JetStream limits, i.e. no JetStream); a v1 user's absent subs/data/payload
 * limits are unlimited (-1), and a v1 activation's import type ({@code nats.type}) becomes
 * {@code kind}.
 */
final class ClaimsV1 {
    private static final List<String> OPERATOR = List.of("signing_keys", "account_server_url", "operator_service_urls",
            "system_account");
    private static final List<String> ACCOUNT = List.of("imports", "exports", "signing_keys", "revocations");
    private static final List<String> ACCOUNT_LIMITS = List.of("subs", "data", "payload", "imports", "exports", "wildcards",
            "disallow_bearer", "conn", "leaf");
    private static final List<String> USER = List.of("pub", "sub", "resp", "src", "times", "times_location", "bearer_token");
    private static final List<String> USER_LIMITS = List.of("subs", "data", "payload");

    private ClaimsV1() {
    }

    /** The claim type of version-1 claims, or null when {@code claims} are not version 1. */
    static String type(JsonNode claims) {
        JsonNode t = claims.path("type");
        return t.isTextual() && !t.asText().isEmpty() ? t.asText() : null;
    }

    /** The version-2 {@code nats} section for v1 {@code claims} of {@code kind}. */
    static JsonNode migrate(String kind, JsonNode claims) {
        JsonNode v1 = claims.path("nats");
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        switch (kind) {
            case Jwt.OPERATOR -> copy(v1, out, OPERATOR);
            case Jwt.ACCOUNT -> {
                copy(v1, out, ACCOUNT);
                if (v1.path("limits").isObject()) copy(v1.path("limits"), out.putObject("limits"), ACCOUNT_LIMITS);
            }
            case Jwt.USER -> {
                copy(v1, out, USER);
                for (String f : USER_LIMITS) out.set(f, v1.has(f) ? v1.get(f) : out.numberNode(-1));
                copy(claims, out, List.of("issuer_account"));
            }
            case Jwt.ACTIVATION -> {
                copy(v1, out, List.of("subject"));
                if (v1.has("type")) out.set("kind", v1.get("type"));
                copy(claims, out, List.of("issuer_account"));
            }
            default -> {
                // other kinds keep their section as it is
                if (v1.isObject()) out.setAll((ObjectNode) v1);
            }
        }
        out.put("type", kind);
        copy(claims, out, List.of("tags"));
        out.put("version", 1);
        return out;
    }

    private static void copy(JsonNode from, ObjectNode to, List<String> fields) {
        for (String f : fields) {
            JsonNode v = from.get(f);
            if (v != null && !v.isNull()) to.set(f, v);
        }
    }
}
