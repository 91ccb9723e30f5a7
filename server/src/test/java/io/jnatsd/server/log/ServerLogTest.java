package io.jnatsd.server.log;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServerLogTest {
    private static final Pattern LINE = Pattern.compile(
            "\\[\\d+] (\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}) \\[INF] port 4222 of 1,000\\n");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSSSSS");

    /** The stamp of one line logged now, with the default time zone set to {@code zone}. */
    private static LocalDateTime stampIn(String zone, boolean utc) {
        TimeZone saved = TimeZone.getDefault();
        Locale savedLocale = Locale.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone(zone));
            Locale.setDefault(Locale.forLanguageTag("ar-EG")); // a locale with its own digits
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            new ServerLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, utc, false, false)
                    .notice("port %d of %,d", 4222, 1000);
            String line = bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), line);
            return LocalDateTime.parse(m.group(1), TIME);
        } finally {
            TimeZone.setDefault(saved);
            Locale.setDefault(savedLocale);
        }
    }

    private static void assertNear(LocalDateTime expected, LocalDateTime actual) {
        assertTrue(Duration.between(expected, actual).abs().compareTo(Duration.ofMinutes(1)) < 0,
                "stamped " + actual + ", expected about " + expected);
    }

    @Test
    void stampsLocalTimeOfTheDefaultZoneWithAsciiDigits() {
        assertNear(LocalDateTime.now(ZoneId.of("Asia/Kolkata")), stampIn("Asia/Kolkata", false));
        assertNear(LocalDateTime.now(ZoneId.of("America/Los_Angeles")), stampIn("America/Los_Angeles", false));
    }

    @Test
    void stampsUtcWhenAskedWhateverTheZone() {
        assertNear(LocalDateTime.now(ZoneOffset.UTC), stampIn("Asia/Kolkata", true));
    }
}
