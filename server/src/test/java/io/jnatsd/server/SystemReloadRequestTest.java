package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code $SYS.REQ.SERVER.<id>.RELOAD}, which upstream has from 2.10 (2.9.10 has no such request,
 * so this runs against jnatsd only): the same reload as SIGHUP, answered with the server and no
 * data, or a 500 error saying why nothing was applied.
 */
class SystemReloadRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONF = """
            accounts { SYS: { users: [ {user: sys, password: sys} ] } }
            system_account: SYS
            """;

    private static JsonNode request(Connection c, String subject) throws Exception {
        Message m = c.request(subject, new byte[0], Duration.ofSeconds(5));
        assertNotNull(m, "a reply");
        return JSON.readTree(m.getData());
    }

    @Test
    void theReloadRequestAppliesTheFileOrSaysWhyNot() throws Exception {
        try (TestServer s = TestServer.start(Impl.JNATSD, CONF + "max_payload: 100");
             Connection sys = Nats.connect(new Options.Builder().server(s.url()).userInfo("sys", "sys").connectionTimeout(Duration.ofSeconds(10)).build())) {
            String id = sys.getServerInfo().getServerId();
            s.rewriteConfig(CONF + "max_payload: 10");
            JsonNode ok = request(sys, "$SYS.REQ.SERVER." + id + ".RELOAD");
            assertEquals(id, ok.get("server").get("id").asText());
            assertFalse(ok.has("error"), ok.toString());
            assertFalse(ok.has("data"), ok.toString());
            try (Connection fresh = Nats.connect(new Options.Builder().server(s.url()).userInfo("sys", "sys").connectionTimeout(Duration.ofSeconds(10)).build())) {
                assertEquals(10, fresh.getServerInfo().getMaxPayload());
            }

            s.rewriteConfig(CONF + "max_payload: 10\nserver_name: other");
            JsonNode refused = request(sys, "$SYS.REQ.SERVER." + id + ".RELOAD");
            assertEquals(500, refused.get("error").get("code").asInt());
            assertEquals("config reload not supported for ServerName: old=, new=other",
                    refused.get("error").get("description").asText());
        }
    }
}
