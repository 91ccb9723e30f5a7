package io.jnatsd.conf;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations of valid configurations: the parser may accept or reject them, but must only ever
 * throw {@link ConfException}, and must finish quickly.
 */
class ConfFuzzTest {
    private static final List<String> SEEDS = List.of(
            """
            # a server
            listen: 127.0.0.1:4222
            server_name = "n1"; max_payload 1MB
            ping_interval: "2m"
            debug: true, trace: off
            authorization { user: alice, password: $2a$11$abcdefghijklmnopqrstuv, timeout: 1.5 }
            cluster {
              name: c1
              listen: 0.0.0.0:6222
              routes = [
                nats://a:6222 // first
                "nats://b:6222"
              ]
            }
            text = (
            block
            )
            when = 2016-05-04T18:53:41Z
            VAR = 10k
            uses = [$VAR, 'x', -1.25, {a: 1}]
            """,
            "{\"port\": 4222, \"jetstream\": {\"store_dir\": \"/tmp/js\", \"max_mem\": \"1G\"}, \"arr\": [1,2,3]}",
            "a = \"esc \\t \\x41 \\\" \\\\\"\nb: 'raw'\nc 1;d=2,e:3\nm{n{o{p=[[[]]]}}}\ninclude 'none.conf'\n");

    private static final String ALPHABET = "{}[]()=:;,#/'\"\\$ \t\n\r-.0123456789kKmMbBiIeExTZabc\u00e9\u0000\u2028";

    @TempDir
    Path dir;

    @Test
    void mutationsOnlyEverThrowConfException() {
        Random random = new Random(0x6e617473L);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 20_000 && System.nanoTime() < deadline; i++) {
                String seed = SEEDS.get(random.nextInt(SEEDS.size()));
                String input = mutate(seed, random);
                try {
                    ConfParser.parse(input, dir, "fuzz.conf", Map.of("VAR", "1", "LOOP", "$LOOP")::get);
                } catch (ConfException expected) {
                    if (expected.getMessage() == null) fail("no message for input: " + input);
                } catch (Throwable t) {
                    throw new AssertionError("unexpected " + t + " for input:\n" + input, t);
                }
            }
        });
    }

    @Test
    void pathologicalInputsFinish() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            List<String> inputs = List.of(
                    "a = " + "[".repeat(100_000),
                    "a = " + "[".repeat(50_000) + "]".repeat(50_000),
                    "a " + "{ b ".repeat(50_000),
                    "a = (" + "x\n".repeat(100_000),
                    "a = \"" + "\\x41".repeat(50_000) + "\"",
                    "#".repeat(200_000),
                    "k".repeat(200_000),
                    "a = 1\n".repeat(50_000),
                    "\u0000\uFFFF\uD800 = 1");
            for (String in : inputs) {
                try {
                    ConfParser.parse(in, dir, "p.conf", n -> null);
                } catch (ConfException expected) {
                    // fine
                }
            }
        });
    }

    static String mutate(String seed, Random random) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + random.nextInt(6);
        for (int e = 0; e < edits; e++) {
            int op = random.nextInt(5);
            int at = sb.isEmpty() ? 0 : random.nextInt(sb.length());
            switch (op) {
                case 0 -> { // replace a char
                    if (!sb.isEmpty()) sb.setCharAt(at, randomChar(random));
                }
                case 1 -> sb.insert(at, randomChar(random)); // insert
                case 2 -> { // delete a run
                    if (!sb.isEmpty()) sb.delete(at, Math.min(sb.length(), at + 1 + random.nextInt(4)));
                }
                case 3 -> { // duplicate a slice
                    int end = Math.min(sb.length(), at + random.nextInt(20));
                    sb.insert(at, sb.substring(at, end));
                }
                default -> { // truncate
                    sb.setLength(at);
                }
            }
        }
        return sb.toString();
    }

    static char randomChar(Random random) {
        if (random.nextInt(10) == 0) return (char) random.nextInt(0x10000);
        return ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
}
