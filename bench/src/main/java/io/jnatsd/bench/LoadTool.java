package io.jnatsd.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The end-to-end load tool: drives a NATS server (jnatsd or upstream, the same client code
 * either way) with the official Java client, verifies that every message arrived exactly
 * once, and reports the rate (or, for reqrep, kv-put and kv-get, the latency distribution).
 *
 * <pre>
 * java -jar bench/target/jnatsd-bench.jar --url nats://127.0.0.1:4222 -w pubsub --size 128 --msgs 1000000
 * java -jar bench/target/jnatsd-bench.jar --url nats://127.0.0.1:4222 --sub-url nats://127.0.0.1:4223 -w pubsub
 * java -jar bench/target/jnatsd-bench.jar --url nats://127.0.0.1:4222 -w queue \
 *      --member-urls nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224
 * </pre>
 */
@Command(name = "jnatsd-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load tool modelled on `nats bench`: publishes, verifies every delivery, reports msgs/s or latency.")
public final class LoadTool implements Callable<Integer> {

    @Option(names = "--url", description = "server URL: the publisher's, the requester's, every JetStream "
            + "connection's (default: ${DEFAULT-VALUE})")
    String url = "nats://127.0.0.1:4222";

    @Option(names = "--sub-url", description = "the subscriber's server (pubsub), the responder's (reqrep) and the "
            + "consumer's (js-pull, js-push), e.g. another node of a cluster (default: --url)")
    String subUrl;

    @Option(names = "--member-urls", split = ",", paramLabel = "URL",
            description = "servers of the subscribers (fanout) or queue members (queue), comma-separated, "
                    + "member i on the (i mod n)-th (default: all on --sub-url)")
    List<String> memberUrls;

    @Option(names = {"-w", "--workload"}, description = "pub, pubsub, fanout, queue, reqrep, js-pub, js-pub-async, "
            + "js-pull, js-push, kv-put or kv-get (default: ${DEFAULT-VALUE})")
    String workload = "pubsub";

    @Option(names = {"-s", "--size"}, description = "payload (or value) bytes (default: 16 for js-pull and js-push, else 128)")
    Integer size;

    @Option(names = {"-n", "--msgs"}, description = "measured messages, requests for reqrep, operations for kv-put "
            + "and kv-get (default: 20000 for kv-put and kv-get, else 1000000)")
    Long msgs;

    @Option(names = "--subs", description = "subscribers for fanout, queue members for queue (default: ${DEFAULT-VALUE})")
    int subs = 10;

    @Option(names = "--warmup", description = "messages sent and verified before measuring "
            + "(default: msgs/10, at most 100000; reqrep, kv-put and kv-get 2000)")
    long warmup = -1;

    @Option(names = "--batch", description = "messages per fetch for js-pull (default: ${DEFAULT-VALUE})")
    int batch = BenchConfig.DEFAULT_BATCH;

    @Option(names = "--keys", description = "distinct keys that kv-put and kv-get cycle over (default: ${DEFAULT-VALUE})")
    int keys = BenchConfig.DEFAULT_KEYS;

    @Option(names = "--replicas", description = "replicas of the stream or bucket a JetStream or KV workload "
            + "creates, e.g. 3 on a JetStream cluster (default: ${DEFAULT-VALUE})")
    int replicas = 1;

    @Option(names = "--json", description = "print one JSON line of results")
    boolean json;

    @Option(names = "--stall-timeout", description = "seconds without progress before the run fails (default: ${DEFAULT-VALUE})")
    int stallSeconds = 20;

    @Option(names = "--sub-mode", description = "dispatcher (default) or sync (nextMessage on a thread per subscriber)")
    String subMode = "dispatcher";

    @Option(names = "--buffer-size", description = "client socket buffer bytes (default: 1 MiB, at least 2 x size)")
    int bufferSize = 1024 * 1024;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTool()).execute(args));
    }

    BenchConfig config() {
        Workload w = Workload.parse(workload);
        int sz = size != null ? size : w.defaultSize();
        long n = msgs != null ? msgs : w.defaultMsgs();
        long wu = warmup >= 0 ? warmup : w.defaultWarmup(n);
        return new BenchConfig(url, w, sz, n, subs, wu, Duration.ofSeconds(stallSeconds),
                BenchConfig.SubMode.valueOf(subMode.trim().toUpperCase(java.util.Locale.ROOT)),
                Math.max(bufferSize, sz * 2 + 1024), batch, keys, subUrl,
                memberUrls == null ? List.of() : memberUrls.stream().map(String::trim)
                        .filter(u -> !u.isEmpty()).toList(), replicas);
    }

    @Override
    public Integer call() {
        BenchConfig cfg;
        try {
            cfg = config();
        } catch (IllegalArgumentException e) {
            System.err.println("jnatsd-bench: " + e.getMessage());
            return 2;
        }
        try {
            Result r = LoadRun.run(cfg);
            System.out.println(json ? r.toJson() : r.toText());
            return 0;
        } catch (VerificationException e) {
            return fail(cfg, "VERIFICATION FAILED: " + e.getMessage());
        } catch (Exception e) {
            return fail(cfg, "FAILED: " + e);
        }
    }

    private int fail(BenchConfig cfg, String message) {
        System.err.println("jnatsd-bench: " + cfg.workload().id() + " " + cfg.size() + " B: " + message);
        if (json) {
            System.out.println("{\"workload\":\"" + cfg.workload().id() + "\",\"size\":" + cfg.size()
                    + ",\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "'") + "\"}");
        }
        return 1;
    }
}
