package io.jnatsd.store;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * {@code meta.inf}: the stream's {@link StoreConfig} as {@code key=value} lines (names as
 * upstream's StreamConfig JSON), ending with {@code checksum=<crc32c hex>} of every byte before
 * that line. Replaced atomically; a file failing its checksum is refused.
 */
final class MetaFile {

    static final String NAME = "meta.inf";

    private MetaFile() {
    }

    static void write(Path dir, StoreConfig c) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# jnatsd stream store\n");
        line(sb, "name", URLEncoder.encode(c.name(), StandardCharsets.UTF_8));
        line(sb, "storage", c.storage().name().toLowerCase(Locale.ROOT));
        line(sb, "max_msgs", c.maxMsgs());
        line(sb, "max_bytes", c.maxBytes());
        line(sb, "max_age", c.maxAgeNanos());
        line(sb, "max_msgs_per_subject", c.maxMsgsPerSubject());
        line(sb, "max_msg_size", c.maxMsgSize());
        line(sb, "discard", c.discardNew() ? "new" : "old");
        line(sb, "discard_new_per_subject", c.discardNewPerSubject());
        line(sb, "first_seq", c.firstSeq());
        line(sb, "sync_always", c.syncAlways());
        line(sb, "sync_interval", c.syncIntervalNanos());
        line(sb, "block_size", c.blockSize());
        line(sb, "allow_msg_ttl", c.allowMsgTtl());
        line(sb, "compression", c.compression().configName());
        line(sb, "subject_delete_markers", c.subjectDeleteMarkers());
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        String sum = "checksum=" + Long.toHexString(crc(body)) + "\n";
        byte[] all = new byte[body.length + sum.length()];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(sum.getBytes(StandardCharsets.US_ASCII), 0, all, body.length, sum.length());
        AtomicFiles.write(dir.resolve(NAME), all, true);
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(key).append('=').append(value).append('\n');
    }

    private static long crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length);
        return c.getValue();
    }

    /** Reads the config, or null if there is no meta file. */
    static StoreConfig read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return null;
        }
        byte[] all = Files.readAllBytes(file);
        String text = new String(all, StandardCharsets.UTF_8);
        int at = text.lastIndexOf("checksum=");
        if (at < 0 || (at > 0 && text.charAt(at - 1) != '\n')) {
            throw new StoreException(file + ": no checksum");
        }
        byte[] body = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        String expected = text.substring(at + "checksum=".length()).trim();
        if (!expected.equals(Long.toHexString(crc(body)))) {
            throw new StoreException(file + ": checksum mismatch");
        }
        Map<String, String> kv = new HashMap<>();
        for (String l : text.substring(0, at).split("\n")) {
            int eq = l.indexOf('=');
            if (!l.startsWith("#") && eq > 0) {
                kv.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return new StoreConfig(URLDecoder.decode(kv.get("name"), StandardCharsets.UTF_8),
                StorageType.valueOf(kv.get("storage").toUpperCase(Locale.ROOT)),
                num(kv, "max_msgs"), num(kv, "max_bytes"), num(kv, "max_age"), num(kv, "max_msgs_per_subject"),
                num(kv, "max_msg_size"), "new".equals(kv.get("discard")),
                Boolean.parseBoolean(kv.get("discard_new_per_subject")), num(kv, "first_seq"),
                Boolean.parseBoolean(kv.get("sync_always")), num(kv, "sync_interval"),
                (int) num(kv, "block_size"), Boolean.parseBoolean(kv.get("allow_msg_ttl")),
                StoreCompression.fromConfigName(kv.get("compression")),
                Boolean.parseBoolean(kv.get("subject_delete_markers")));
    }

    private static long num(Map<String, String> kv, String key) {
        String v = kv.get(key);
        return v == null ? 0 : Long.parseLong(v);
    }
}
