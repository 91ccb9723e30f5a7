package io.jnatsd.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** Calls a server's monitoring endpoints over HTTP. */
public final class MonitorHttp {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;

    public MonitorHttp(String base) {
        this.base = base;
    }

    public MonitorHttp(TestServer server) {
        this(server.monitorUrl());
    }

    /** GET {@code base + pathAndQuery} ({@code pathAndQuery} starts with a slash). */
    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return get(pathAndQuery, null);
    }

    public HttpResponse<String> get(String pathAndQuery, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(10));
        if (accept != null) b.header("Accept", accept);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON of a 200 answer. */
    public JsonNode json(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = get(pathAndQuery);
        assertEquals(200, r.statusCode(), () -> pathAndQuery + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** Polls until the answer satisfies {@code until} (upstream records some things asynchronously). */
    public JsonNode await(String pathAndQuery, Predicate<JsonNode> until) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode last = json(pathAndQuery);
        while (!until.test(last)) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met by " + pathAndQuery + ": " + last);
            Thread.sleep(20);
            last = json(pathAndQuery);
        }
        return last;
    }
}
