package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison a reload starts with: what counts as a change, and what does not. */
class ConfigDiffTest {
    @TempDir
    Path dir;

    private ServerOptions load(String text) throws Exception {
        Path f = Files.createTempFile(dir, "c", ".conf");
        Files.writeString(f, text);
        return ConfigLoader.load(f);
    }

    private List<String> fields(String before, String after) throws Exception {
        return ConfigDiff.between(load(before), load(after), false).stream().map(ConfigChange::field).toList();
    }

    @Test
    void usersAndAccountsAreAlwaysChangedAndNothingElseWhenTheFileIsTheSame() throws Exception {
        String conf = "port: 4333\ncluster { listen: \"127.0.0.1:6333\", routes: [\"nats://127.0.0.1:6334\"] }\n";
        assertEquals(List.of("Users", "Accounts"), fields(conf, conf));
    }

    @Test
    void movedLinesReorderedRoutesAndAnExplicitDefaultSystemAccountAreNoChange() throws Exception {
        String a = "websocket { listen: \"127.0.0.1:8333\", no_tls: true }\n"
                + "cluster { listen: \"127.0.0.1:6333\", routes: [\"nats://127.0.0.1:1\", \"nats://127.0.0.1:2\"] }\n";
        String b = "\n\n# moved\nsystem_account: \"$SYS\"\ncluster { routes: [\"nats://127.0.0.1:2\", \"nats://127.0.0.1:1\"], "
                + "listen: \"127.0.0.1:6333\" }\n  websocket {\n no_tls: true\n listen: \"127.0.0.1:8333\" }\n";
        assertEquals(List.of("Users", "Accounts"), fields(a, b));
    }

    @Test
    void changesComeInUpstreamsOrderWithTheirEffects() throws Exception {
        List<ConfigChange> changes = ConfigDiff.between(load("max_payload: 100\ndebug: false"),
                load("max_payload: 10\ndebug: true\nmax_connections: 5\nwrite_deadline: \"3s\""), false);
        assertEquals(List.of("Debug", "MaxConn", "Users", "Accounts", "MaxPayload", "WriteDeadline"),
                changes.stream().map(ConfigChange::field).toList());
        assertEquals(ConfigChange.Effect.CLIENT_LIMITS, changes.get(4).effect());
        assertEquals("Reloaded: write_deadline = 3s", changes.get(5).notice());
    }

    @Test
    void aRefusalNamesUpstreamsFieldAndGoValues() throws Exception {
        ReloadRefusedException e = assertThrows(ReloadRefusedException.class,
                () -> ConfigDiff.between(load("ping_interval: \"2m\"\nmax_closed_clients: 5"),
                        load("ping_interval: \"1m\"\nmax_closed_clients: 6"), false));
        assertEquals("config reload not supported for MaxClosedClients: old=5, new=6", e.getMessage());
    }
}
