package io.jnatsd.server.jetstream.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Go's complaints about RFC 3339 times (time.Parse with time.RFC3339), as API requests return them. */
class GoTimeErrorsTest {
    private static final String AS = " as \"2006-01-02T15:04:05Z07:00\": cannot parse ";

    @Test
    void validTimesHaveNoComplaint() {
        assertNull(GoTimeErrors.of("2026-12-07T10:00:00Z"));
        assertNull(GoTimeErrors.of("2026-12-07T10:00:00.123456789+01:00"));
        assertNull(GoTimeErrors.of("2024-02-29T00:00:00Z"));
    }

    @Test
    void goNamesTheFirstElementThatDoesNotFit() {
        assertEquals("parsing time \"x\"" + AS + "\"x\" as \"2006\"", GoTimeErrors.of("x"));
        assertEquals("parsing time \"2026/12/07\"" + AS + "\"/12/07\" as \"-\"", GoTimeErrors.of("2026/12/07"));
        assertEquals("parsing time \"2026-12-07\"" + AS + "\"\" as \"T\"", GoTimeErrors.of("2026-12-07"));
        assertEquals("parsing time \"2026-12-07T10:00:00\"" + AS + "\"\" as \"Z07:00\"", GoTimeErrors.of("2026-12-07T10:00:00"));
        assertEquals("parsing time \"2026-1-07T10:00:00Z\"" + AS + "\"1-07T10:00:00Z\" as \"01\"", GoTimeErrors.of("2026-1-07T10:00:00Z"));
        assertEquals("parsing time \"2026-12-07T25:00:00Z\": hour out of range", GoTimeErrors.of("2026-12-07T25:00:00Z"));
        assertEquals("parsing time \"2023-02-29T00:00:00Z\": day out of range", GoTimeErrors.of("2023-02-29T00:00:00Z"));
        assertEquals("parsing time \"2026-12-07T10:00:00Z!\": extra text: \"!\"", GoTimeErrors.of("2026-12-07T10:00:00Z!"));
    }
}
