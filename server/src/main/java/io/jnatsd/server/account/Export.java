package io.jnatsd.server.account;

import java.time.Duration;
import java.util.List;

/**
 * A stream or service an account exports, from its config block or its JWT.
 *
 * @param accounts       the accounts allowed to import it; null or empty: everyone (config files)
 * @param tokenRequired  importers need an activation token signed by the exporter (JWTs)
 * @param responseType   for services: {@code singleton}, {@code stream} or {@code chunked}
 */
public record Export(String subject, boolean service, List<String> accounts, boolean tokenRequired,
                     String responseType, Duration responseThreshold) {
    /** Upstream's default time a service import waits for responses. */
    public static final Duration DEFAULT_RESPONSE_THRESHOLD = Duration.ofMinutes(2);

    public Export {
        accounts = accounts == null ? null : List.copyOf(accounts);
        if (responseType == null) responseType = "singleton";
        if (responseThreshold == null || responseThreshold.isZero()) responseThreshold = DEFAULT_RESPONSE_THRESHOLD;
    }

    /** Whether {@code account} may import this without a token. */
    public boolean allows(String account) {
        return !tokenRequired && (accounts == null || accounts.isEmpty() || accounts.contains(account));
    }
}
