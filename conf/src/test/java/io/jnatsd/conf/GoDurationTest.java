package io.jnatsd.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0", "+0, 0", "-0, 0",
            "1ns, 1", "2us, 2000", "1\u00b5s, 1000", "1\u03bcs, 1000", "500ms, 500000000",
            "10s, 10000000000", "-1s, -1000000000", "+5s, 5000000000",
            "2m, 120000000000", "1h, 3600000000000", "1h2m3.5s, 3723500000000",
            "1.5h, 5400000000000", ".5s, 500000000", "1.s, 1000000000", "2h45m, 9900000000000",
            "1m1m, 120000000000", "1.0000000001s, 1000000000",
            "9223372036854775807ns, 9223372036854775807", "-9223372036854775808ns, -9223372036854775808",
            "2562047h47m16.854775807s, 9223372036854775807"
    })
    void parses(String text, long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '~', value = {
            "'' ~ time: invalid duration \"\"",
            "- ~ time: invalid duration \"-\"",
            "1 ~ time: missing unit in duration \"1\"",
            "1.5 ~ time: missing unit in duration \"1.5\"",
            "2x ~ time: unknown unit \"x\" in duration \"2x\"",
            "1hour ~ time: unknown unit \"hour\" in duration \"1hour\"",
            "s ~ time: invalid duration \"s\"",
            ". ~ time: invalid duration \".\"",
            ".s ~ time: invalid duration \".s\"",
            "1s 2s ~ time: unknown unit \"s \" in duration \"1s 2s\"",
            "9223372036854775808ns ~ time: invalid duration \"9223372036854775808ns\"",
            "3000000h ~ time: invalid duration \"3000000h\"",
            "99999999999999999999s ~ time: invalid duration \"99999999999999999999s\""
    })
    void rejects(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "1ns", "1.5\u00b5s", "500ms", "1.5s", "2m0s", "1h0m0s", "1h2m3.5s", "-1s",
            "2562047h47m16.854775807s", "-2562047h47m16.854775808s"})
    void formatsLikeGo(String text) {
        assertEquals(text, GoDuration.format(GoDuration.parse(text)));
    }
}
