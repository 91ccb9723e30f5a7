package io.jnatsd.server.auth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Keeping secrets out of logs: CONNECT is traced with its password, token and signature redacted, as upstream. */
public final class Secrets {
    private static final Pattern PREFIXED = Pattern.compile("\"?\\s*(?:auth_token\\S*?|pass\\S*?)\"?\\s*[:=]\\s*\"?([^\",\\r\\n}]*)");
    private static final Pattern EXACT = Pattern.compile("(?:^|[^A-Za-z0-9_])\"?\\s*(?:proxy_sig|sig)\"?\\s*[:=]\\s*\"?([^\",\\r\\n}]*)");
    private static final String REDACTED = "[REDACTED]";

    private Secrets() {
    }

    /** CONNECT's JSON with the values of {@code pass}, {@code auth_token} and {@code sig} replaced. */
    public static String redactConnect(String json) {
        return redact(EXACT, redact(PREFIXED, json));
    }

    private static String redact(Pattern p, String s) {
        Matcher m = p.matcher(s);
        StringBuilder sb = new StringBuilder(s.length());
        int last = 0;
        while (m.find()) {
            sb.append(s, last, m.start(1)).append(REDACTED);
            last = m.end(1);
        }
        return sb.append(s, last, s.length()).toString();
    }
}
