package io.jnatsd.server.jetstream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.server.jetstream.common.EntryLog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A single server's log: each entry applied at once, in the order appended, its result handed back. */
class StandaloneLogTest {

    @Test
    void appliesEachEntryAtOnceInOrderAndReturnsWhatApplyReturned() {
        List<String> applied = new ArrayList<>();
        EntryLog<String> log = StandaloneLog.FACTORY.open("S-test", (String e) -> {
            applied.add(e);
            return applied.size() * 10L;
        }, null);
        assertEquals(10, log.append("a"));
        assertEquals(List.of("a"), applied); // applied before append returned
        assertEquals(20, log.append("b"));
        assertEquals(30, log.append("c"));
        assertEquals(List.of("a", "b", "c"), applied);
        assertEquals(3, ((StandaloneLog<String>) log).applied());
    }
}
