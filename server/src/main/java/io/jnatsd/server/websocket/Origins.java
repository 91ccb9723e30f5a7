package io.jnatsd.server.websocket;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Origin check of the upgrade request, as upstream's checkOrigin: with neither {@code same_origin} nor
 * {@code allowed_origins} every request passes, and so does one without an Origin header (a dedicated client, not
 * a browser page, can send whatever it likes anyway). Otherwise the origin's host and port (80 or 443 when not
 * written) must be those the request was sent to ({@code same_origin}, the scheme is not compared) and/or be in
 * the list with the same scheme. Hosts compare case-insensitively.
 */
final class Origins {
    private record Allowed(String scheme, String port) {}

    private final boolean sameOrigin;
    /** By lower-case host; as upstream, one entry per host (a later one with the same host wins). */
    private final Map<String, Allowed> allowed = new HashMap<>();

    /** {@code malformed} is told of each allowed origin that cannot be parsed (it is left out, as upstream does). */
    Origins(boolean sameOrigin, List<String> allowedOrigins, Consumer<String> malformed) {
        this.sameOrigin = sameOrigin;
        for (String ao : allowedOrigins) {
            try {
                Url u = Url.parse(ao);
                String[] hp = hostAndPort(u.scheme.equals("https"), u.host);
                allowed.put(hp[0], new Allowed(u.scheme, hp[1]));
            } catch (IllegalArgumentException e) {
                malformed.accept(e.getMessage());
            }
        }
    }

    /** Null when the request may go on, else why not (upstream's words, for the log). */
    String check(String origin, String requestHost, boolean tls) {
        if (!sameOrigin && allowed.isEmpty()) return null;
        if (origin == null || origin.isEmpty()) return null;
        try {
            Url u = Url.parse(origin);
            String[] o = hostAndPort(u.scheme.equals("https"), u.host);
            if (sameOrigin) {
                String[] r = hostAndPort(tls, requestHost == null ? "" : requestHost);
                if (!o[0].equals(r[0]) || !o[1].equals(r[1])) return "not same origin";
            }
            if (!allowed.isEmpty()) {
                Allowed a = allowed.get(o[0]);
                if (a == null || !u.scheme.equals(a.scheme) || !o[1].equals(a.port)) return "not in the allowed list";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * What Go's url.ParseRequestURI keeps of an origin: an absolute URL ({@code scheme://host[:port][/...]}) or an
     * absolute path (no host); anything else is refused with Go's message.
     */
    private record Url(String scheme, String host) {
        static Url parse(String s) {
            if (s.startsWith("/")) return new Url("", "");
            int colon = s.indexOf(':');
            if (colon > 0 && s.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
                String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
                String rest = s.substring(colon + 1);
                if (rest.startsWith("/") && !rest.startsWith("//")) return new Url(scheme, "");
                if (!rest.startsWith("//")) throw new IllegalArgumentException("parse " + quote(s) + ": invalid URI for request");
                rest = rest.substring(2);
                int end = rest.length();
                for (char c : new char[] {'/', '?', '#'}) {
                    int i = rest.indexOf(c);
                    if (i >= 0 && i < end) end = i;
                }
                String authority = rest.substring(0, end);
                int at = authority.lastIndexOf('@');
                return new Url(scheme, at >= 0 ? authority.substring(at + 1) : authority);
            }
            throw new IllegalArgumentException("parse " + quote(s) + ": invalid URI for request");
        }
    }

    /**
     * Upstream's wsGetHostAndPort: Go's net.SplitHostPort, where a missing port means 443 with TLS and 80
     * without; the host lower-cased.
     */
    static String[] hostAndPort(boolean tls, String hostPort) {
        String defaultPort = tls ? "443" : "80";
        String host;
        String port;
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            if (end < 0) throw new IllegalArgumentException("address " + hostPort + ": missing ']' in address");
            if (end + 1 == hostPort.length()) {
                host = hostPort;
                port = defaultPort;
            } else if (hostPort.charAt(end + 1) == ':') {
                host = hostPort.substring(1, end);
                port = hostPort.substring(end + 2);
            } else {
                throw new IllegalArgumentException("address " + hostPort + ": missing port in address");
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                host = hostPort;
                port = defaultPort;
            } else if (hostPort.indexOf(':') != colon) {
                throw new IllegalArgumentException("address " + hostPort + ": too many colons in address");
            } else {
                host = hostPort.substring(0, colon);
                port = hostPort.substring(colon + 1);
            }
        }
        return new String[] {host.toLowerCase(Locale.ROOT), port};
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
