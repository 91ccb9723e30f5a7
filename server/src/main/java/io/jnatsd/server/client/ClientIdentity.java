package io.jnatsd.server.client;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.protocol.wire.GoQuote;

/** Who a client says it is, as upstream's monitoring and log lines name it. */
final class ClientIdentity {
    private ClientIdentity() {
    }

    /** The identity CONNECT options present: nkey, user name, or {@code [REDACTED]} for a token; null for none. */
    static String presented(ConnectOptions c) {
        if (c == null) return null;
        if (c.nkey != null && !c.nkey.isEmpty()) return c.nkey;
        if (c.user != null && !c.user.isEmpty()) return c.user;
        if (c.authToken != null && !c.authToken.isEmpty()) return "[REDACTED]";
        return null;
    }

    /** As upstream's getAuthUser in log lines: {@code Nkey "U..."}, {@code User "name"} or {@code User "N/A"}. */
    static String inLog(ConnectOptions c) {
        if (c != null && c.nkey != null && !c.nkey.isEmpty()) return "Nkey " + GoQuote.quote(c.nkey);
        if (c != null && c.user != null && !c.user.isEmpty()) return "User " + GoQuote.quote(c.user);
        return "User \"N/A\"";
    }
}
