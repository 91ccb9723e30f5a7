package io.jnatsd.server.auth.jwt;

import io.jnatsd.server.auth.NKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the system account's claim requests do to the resolver and the accounts in use, as
 * upstream answers them; the caller turns each {@link Outcome} into the JSON reply.
 * <ul>
 *   <li>an update ({@code $SYS.REQ.ACCOUNT.<key>.CLAIMS.UPDATE}, also the older
 *   {@code $SYS.ACCOUNT.<key>.CLAIMS.UPDATE}, and with a full resolver
 *   {@code $SYS.REQ.CLAIMS.UPDATE}) stores an account JWT signed by a trusted operator key and
 *   applies it to the account if it is in use (the memory resolver only updates accounts in use);</li>
 *   <li>with a full resolver, a lookup returns an account's JWT, a list its account keys, and a
 *   delete (a JWT the operator signed, listing {@code accounts}) removes accounts.</li>
 * </ul>
 * Unlike upstream, which stores a JWT whoever signed it (and only refuses to apply it), an
 * update signed by an untrusted key is refused.
 */
public final class ClaimsRequests {
    /** An answer: {@code error} is null on success. {@code account} may be null. */
    public record Outcome(String account, String message, String error) {
        static Outcome ok(String account, String message) {
            return new Outcome(account, message, null);
        }

        static Outcome failed(String account, String message, String error) {
            return new Outcome(account, message, error);
        }
    }

    private final OperatorMode mode;

    public ClaimsRequests(OperatorMode mode) {
        this.mode = mode;
    }

    /** Whether the resolver is a full one, answering the {@code $SYS.REQ.CLAIMS.*} requests too. */
    public boolean full() {
        return mode.resolver() != null && mode.resolver().isFull();
    }

    /**
     * An update request: {@code pathKey} is the account named in the subject, or null for
     * {@code $SYS.REQ.CLAIMS.UPDATE}.
     */
    public Outcome update(String pathKey, byte[] body) {
        String jwt = new String(body, StandardCharsets.UTF_8).trim();
        if (!full() && jwt.isEmpty()) return Outcome.failed(pathKey, "jwt update error", "request body is empty");
        AccountClaims claims;
        try {
            claims = AccountClaims.decode(jwt);
        } catch (JwtException e) {
            return Outcome.failed(full() ? "n/a" : pathKey, "jwt update resulted in error", e.getMessage());
        }
        String key = claims.subject();
        if (pathKey != null && !pathKey.equals(key)) {
            return Outcome.failed(pathKey, "jwt update resulted in error", "subject does not match jwt content");
        }
        if (mode.strictlyRefused(claims.issuer())) {
            return Outcome.failed(key, "jwt update resulted in error", "operator requires issuer to be a signing key");
        }
        if (!mode.isTrusted(claims.issuer())) return Outcome.failed(key, "jwt update resulted in error", "not trusted");
        boolean inUse = mode.inUse(key);
        if (!full()) {
            if (!inUse) return Outcome.ok(key, "jwt update skipped");
            try {
                AccountClaims verified = mode.verify(jwt);
                mode.resolver().save(key, jwt);
                mode.replace(verified);
            } catch (JwtException | IOException e) {
                return Outcome.failed(key, "jwt update resulted in error", e.getMessage());
            }
            return Outcome.ok(key, "jwt updated");
        }
        try {
            mode.resolver().save(key, jwt);
        } catch (IOException e) {
            return Outcome.failed(key, "jwt update resulted in error", e.getMessage());
        }
        if (inUse) {
            try {
                mode.replace(mode.verify(jwt));
            } catch (JwtException e) {
                mode.log().error("update resulted in error %s", e.getMessage());
            }
        }
        return Outcome.ok(key, "jwt updated");
    }

    /** The stored JWT of an account, or null (full resolver). */
    public String lookup(String key) {
        return mode.resolver().fetch(key);
    }

    /** The account keys stored (full resolver). */
    public List<String> list() {
        return mode.resolver().list();
    }

    /**
     * A delete request (full resolver): a JWT the operator signed about itself, with the account
     * keys to remove under {@code nats.accounts}; the system account cannot be deleted.
     */
    public Outcome delete(byte[] body) {
        String subject = "";
        List<String> keys = new ArrayList<>();
        String error = null;
        try {
            Jwt request = Jwt.decodeGeneric(new String(body, StandardCharsets.UTF_8).trim());
            subject = request.subject();
            if (!mode.resolver().allowsDelete()) {
                error = "delete must be enabled in server config";
            } else if (!request.subject().equals(request.issuer())) {
                error = "not self signed";
            } else if (!isOperatorKey(request.issuer())) {
                error = "not trusted";
            } else if (!request.nats().path("accounts").isArray()) {
                error = "malformed request";
            } else {
                for (var n : request.nats().path("accounts")) {
                    String k = n.isTextual() ? n.asText() : "";
                    if (!NKeys.isValidPublicAccountKey(k)) {
                        error = "malformed request";
                        break;
                    } else if (k.equals(mode.systemAccount())) {
                        error = "not allowed to delete system account";
                        break;
                    }
                    keys.add(k);
                }
            }
        } catch (JwtException e) {
            error = e.getMessage();
        }
        if (error != null) return Outcome.failed(null, "delete accounts request by " + subject + " failed", error);
        List<String> errors = new ArrayList<>();
        int deleted = 0;
        for (String k : keys) {
            try {
                mode.resolver().delete(k);
                mode.deleted(k);
                deleted++;
            } catch (IOException e) {
                errors.add(e.getMessage());
            }
        }
        if (errors.isEmpty()) return Outcome.ok(null, "deleted " + deleted + " accounts");
        return Outcome.failed(null, "deleted " + deleted + " accounts, failed for " + errors.size(), String.join("\n", errors));
    }

    /** Delete requests must come from the first operator's identity or signing keys, as upstream's store checks. */
    private boolean isOperatorKey(String key) {
        if (mode.operators().isEmpty()) return false;
        OperatorClaims op = mode.operators().get(0);
        return (!op.strictSigningKeyUsage() && op.subject().equals(key)) || op.signingKeys().contains(key);
    }
}
