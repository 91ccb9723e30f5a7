package io.jnatsd.server.monitor;

import java.nio.charset.StandardCharsets;

/** The HTML page at the monitoring root: a link to each endpoint. */
final class IndexPage {
    private static final String[][] LINKS = {
        {"dashboard", "Dashboard"},
        {"varz", "General"},
        {"jsz", "JetStream"},
        {"connz", "Connections"},
        {"accountz", "Accounts"},
        {"accstatz", "Account Stats"},
        {"subsz", "Subscriptions"},
        {"routez", "Routes"},
        {"leafz", "LeafNodes"},
        {"gatewayz", "Gateways"},
        {"healthz", "Health Probe"},
        {"metrics", "Prometheus Metrics"},
    };

    private IndexPage() {}

    /** @param base the normalized base path ({@code /} or {@code /prefix}) */
    static byte[] render(String base, String version, String jnatsdVersion) {
        String prefix = base.endsWith("/") ? base : base + "/";
        StringBuilder sb = new StringBuilder(2048);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .append("<title>jnatsd monitoring</title>\n<style>\n")
          .append("body { font-family: system-ui, sans-serif; margin: 2rem; color: #30303c }\n")
          .append("a { display: block; padding: 0.2rem 0; color: #3b32ca; text-decoration: none }\n")
          .append("a:hover { font-weight: 600 }\n.version { color: #808090; font-size: 0.9rem }\n")
          .append("</style>\n</head>\n<body>\n<h1>jnatsd</h1>\n<p class=\"version\">jnatsd ")
          .append(escape(jnatsdVersion)).append(", NATS server ").append(escape(version)).append(" compatible</p>\n");
        for (String[] link : LINKS) {
            sb.append("<a href=\"").append(prefix).append(link[0]).append("\">").append(link[1]).append("</a>\n");
        }
        sb.append("<p><a href=\"https://docs.nats.io/running-a-nats-service/nats_admin/monitoring\">Help</a></p>\n")
          .append("</body>\n</html>\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
