package io.jnatsd.server.monitor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON as upstream's monitoring writes it (Go's {@code json.MarshalIndent(v, "", "  ")}):
 * two-space indent, {@code "key": value}, one array element per line, {@code []} and {@code {}}
 * when empty, no trailing newline; times in RFC 3339 with nanoseconds and trailing zeros cut
 * ({@code 2024-01-02T03:04:05.1234Z}); whole floats without a fraction ({@code 2}, not {@code 2.0}).
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Instant.class, new InstantSerializer())
            .addSerializer(Double.class, new DoubleSerializer()));
    private static final ObjectWriter INDENTED = MAPPER.writer(goPrettyPrinter());
    private static final ObjectWriter COMPACT = MAPPER.writer();

    private Json() {}

    /** A JSON object under construction, keeping the order fields are put in. */
    public static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    static byte[] indented(Object value) {
        try {
            return INDENTED.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] compact(Object value) {
        try {
            return COMPACT.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DefaultPrettyPrinter goPrettyPrinter() {
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(separators);
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        pp.indentObjectsWith(indenter);
        pp.indentArraysWith(indenter);
        return pp;
    }

    /** Go's {@code time.RFC3339Nano} in UTC: the fraction of a second without trailing zeros. */
    static String time(Instant t) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(35);
        pad(sb, d.getYear(), 4).append('-');
        pad(sb, d.getMonthValue(), 2).append('-');
        pad(sb, d.getDayOfMonth(), 2).append('T');
        pad(sb, d.getHour(), 2).append(':');
        pad(sb, d.getMinute(), 2).append(':');
        pad(sb, d.getSecond(), 2);
        int nanos = t.getNano();
        if (nanos != 0) {
            String f = String.format("%09d", nanos);
            int end = f.length();
            while (f.charAt(end - 1) == '0') end--;
            sb.append('.').append(f, 0, end);
        }
        return sb.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) sb.append('0');
        return sb.append(s);
    }

    private static final class InstantSerializer extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(time(value));
        }
    }

    /** As Go's encoding/json writes a float64: shortest form, plain notation between 1e-6 and 1e21. */
    private static final class DoubleSerializer extends JsonSerializer<Double> {
        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            double d = value;
            double abs = Math.abs(d);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                gen.writeNumber(0);
            } else if (d == Math.rint(d) && abs < 1e21) {
                gen.writeNumber((long) d);
            } else if (abs >= 1e-6 && abs < 1e21) {
                gen.writeNumber(new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString());
            } else {
                gen.writeNumber(d);
            }
        }
    }
}
