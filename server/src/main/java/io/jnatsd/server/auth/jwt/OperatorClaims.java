package io.jnatsd.server.auth.jwt;

import io.jnatsd.server.auth.NKeys;
import java.util.List;

/**
 * An operator JWT: the root of trust in operator mode. Accounts are trusted when signed by the
 * operator's identity key (unless {@code strict_signing_key_usage}) or one of its
 * {@code signing_keys}; {@code system_account} names the system account's public key.
 */
public record OperatorClaims(Jwt jwt, List<String> signingKeys, String systemAccount, boolean strictSigningKeyUsage) {
    public static OperatorClaims decode(String token) throws JwtException {
        Jwt jwt = Jwt.decode(token, Jwt.OPERATOR, NKeys.PREFIX_OPERATOR);
        if (!NKeys.isValidPublicOperatorKey(jwt.subject())) throw new JwtException("operator subject is not an operator key");
        List<String> keys = List.copyOf(Fields.strings(jwt.nats().path("signing_keys")));
        for (String k : keys) {
            if (!NKeys.isValidPublicOperatorKey(k)) throw new JwtException("\"" + k + "\" is not an operator public key");
        }
        String sys = Fields.text(jwt.nats(), "system_account");
        if (!sys.isEmpty() && !NKeys.isValidPublicAccountKey(sys)) {
            throw new JwtException("system_account is not a valid account key");
        }
        return new OperatorClaims(jwt, keys, sys, Fields.bool(jwt.nats(), "strict_signing_key_usage"));
    }

    public String subject() {
        return jwt.subject();
    }
}
