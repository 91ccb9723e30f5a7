package io.jnatsd.server.monitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live dashboard at {@code /dashboard}: a page, its script and style, and uPlot (the charts,
 * from its webjar), all served from the jar so that it works offline. The page reads the same
 * monitoring endpoints users already have; nothing here computes figures.
 */
final class Dashboard {
    private static final String OWN = "/io/jnatsd/server/monitor/dashboard/";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/";

    /** Path under {@code /dashboard} to resource and content type. */
    static final Map<String, String[]> FILES = Map.of(
            "", new String[] {OWN + "index.html", "text/html; charset=utf-8"},
            "/dashboard.js", new String[] {OWN + "dashboard.js", "text/javascript; charset=utf-8"},
            "/dashboard.css", new String[] {OWN + "dashboard.css", "text/css; charset=utf-8"},
            "/uPlot.min.js", new String[] {UPLOT + "dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/uPlot.min.css", new String[] {UPLOT + "dist/uPlot.min.css", "text/css; charset=utf-8"},
            "/uPlot-LICENSE.txt", new String[] {UPLOT + "LICENSE", "text/plain; charset=utf-8"});

    private static final Map<String, byte[]> LOADED = new ConcurrentHashMap<>();

    private Dashboard() {}

    /** The bytes of a dashboard file, read from the jar once. */
    static byte[] file(String resource) {
        return LOADED.computeIfAbsent(resource, r -> {
            try (InputStream in = Dashboard.class.getResourceAsStream(r)) {
                if (in == null) throw new IllegalStateException("missing from the jar: " + r);
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
