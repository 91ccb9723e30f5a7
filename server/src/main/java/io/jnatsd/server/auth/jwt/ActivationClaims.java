package io.jnatsd.server.auth.jwt;

import io.jnatsd.server.auth.NKeys;
import java.util.Locale;

/**
 * An activation token: the exporting account (or one of its signing keys, naming the account
 * in {@code issuer_account}) allows the account in {@code sub} to import {@code subject} of an
 * export that requires a token.
 */
public record ActivationClaims(Jwt jwt, String importSubject, boolean service, String issuerAccount) {
    public static ActivationClaims decode(String token) throws JwtException {
        Jwt jwt = Jwt.decode(token, Jwt.ACTIVATION, NKeys.PREFIX_ACCOUNT);
        String kind = Fields.text(jwt.nats(), "kind").toLowerCase(Locale.ROOT);
        if (!kind.equals("stream") && !kind.equals("service")) throw new JwtException("invalid import type \"" + kind + "\"");
        return new ActivationClaims(jwt, Fields.text(jwt.nats(), "subject"), kind.equals("service"),
                Fields.text(jwt.nats(), "issuer_account"));
    }

    /** The account that issued the activation. */
    public String account() {
        return issuerAccount.isEmpty() ? jwt.issuer() : issuerAccount;
    }
}
