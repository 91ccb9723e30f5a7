#!/usr/bin/env bash
# Restart cost of JetStream's file store, jnatsd beside upstream nats-server in the same run (#16).
#
#   bench/restart.sh [--small N] [--small-size B] [--large N] [--large-size B] [--rounds R]
#                    [--servers jnatsd,upstream] [--keep]
#
# Three stores per server, each on its own fresh directory (`-js -sd DIR`): an empty stream, a
# stream of --small messages of --small-size bytes (default 10,000,000 x 16) and one of --large
# messages of --large-size bytes (default 1,000,000 x 1024). Each is filled through jnats (async
# publish, acks checked), the server is stopped gracefully (SIGTERM), and then restarted 1 + R
# times (default R = 3; the first start only warms the page cache and is not counted) by the probe
# (io.jnatsd.bench.RecoveryProbe), which measures from starting the process to the first
# STREAM.INFO reporting every message, and the server's RSS at that moment.
# Reported per server and data set:
#   extra ms   median time to ready with the data minus the median with the empty stream
#              (what the data costs the restart; the JVM's own start-up cancels out)
#   RSS MB     resident set size once ready
#   B/msg      bytes on disk (du of the store directory) per message
# and the ratios jnatsd / upstream (target: extra time <= 1.0x, RSS and B/msg <= upstream's).
# Results, logs and (with --keep) the stores are in bench/target/restart-<time>/. Only the processes
# it started are stopped. Not part of any test run. For a quick check of the script itself:
#   bench/restart.sh --small 100000 --large 10000 --rounds 1
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

SMALL=10000000
SMALL_SIZE=16
LARGE=1000000
LARGE_SIZE=1024
ROUNDS=3
SERVERS=jnatsd,upstream
KEEP=0
STREAM=RESTART

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --small) SMALL=$2; shift 2 ;;
    --small-size) SMALL_SIZE=$2; shift 2 ;;
    --large) LARGE=$2; shift 2 ;;
    --large-size) LARGE_SIZE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "restart.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

command -v python3 >/dev/null || { echo "restart.sh: python3 is needed" >&2; exit 1; }
if [[ ",$SERVERS," == *,upstream,* ]] && ! command -v nats-server >/dev/null; then
  PATH="$PATH:/usr/sbin:/usr/local/bin"
  command -v nats-server >/dev/null || { echo "restart.sh: upstream nats-server is not on the PATH" >&2; exit 1; }
fi

# shellcheck source=servers.sh
. "$here/servers.sh"
build_jars
PROBE_OPTS=${BENCH_JAVA_OPTS:--Xms1g -Xmx3g}
probe() { "$JAVA" $PROBE_OPTS -cp "$BENCH_JAR" io.jnatsd.bench.RecoveryProbe "$@"; }

OUT="$root/bench/target/restart-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
echo "restart.sh: results in $OUT" >&2
{
  echo "upstream: $(nats-server --version 2>&1 | head -n1 || true)"
  echo "java: $("$JAVA" -version 2>&1 | head -n1)"
} > "$OUT/versions.txt"

# One data set on one server: KIND NAME COUNT SIZE; appends a JSON line to $RESULTS.
measure() {
  local kind=$1 name=$2 count=$3 size=$4 store="$OUT/store-$1-$2" pid line disk
  mkdir -p "$store"
  read -r PORT _ < <(free_ports)
  start_server "$kind" "$PORT" "$OUT/$kind-$name-fill.log" -js -sd "$store"; pid=$STARTED_PID
  wait_accepting "$PORT" "$pid"
  echo "restart.sh: $kind: $name: filling $STREAM with $count x $size B" >&2
  probe fill "nats://127.0.0.1:$PORT" "$STREAM" "$count" "$size" > /dev/null
  stop_server "$pid" 600 # a graceful stop writes the store's summary: give it time
  disk=$(du -sb "$store" | cut -f1)
  echo "restart.sh: $kind: $name: $disk bytes on disk; $ROUNDS restarts" >&2
  server_cmd "$kind" "$PORT" -js -sd "$store"
  line=$(probe restart "$PORT" "$STREAM" "$count" "$((ROUNDS + 1))" term "$OUT/$kind-$name-restart.log" -- "${SERVER_CMD[@]}")
  printf '{"server":"%s","set":"%s","messages":%s,"size":%s,"disk_bytes":%s,"result":%s}\n' \
    "$kind" "$name" "$count" "$size" "$disk" "$line" >> "$RESULTS"
  [ "$KEEP" = 1 ] || rm -rf "$store"
}

IFS=, read -r -a KINDS <<< "$SERVERS"
for kind in "${KINDS[@]}"; do
  # The empty stream last: the first store measured pays for cold caches (the jar, the binary).
  measure "$kind" small "$SMALL" "$SMALL_SIZE"
  measure "$kind" large "$LARGE" "$LARGE_SIZE"
  measure "$kind" empty 0 "$SMALL_SIZE"
done

python3 - "$RESULTS" <<'EOF' | tee "$OUT/report.txt"
import json, sys
rows = {}
def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
for line in open(sys.argv[1]):
    r = json.loads(line)
    res = r["result"]
    # The first restart of each set warms the caches: not counted.
    res["median_ready_ms"] = median(res["ready_ms"][1:] or res["ready_ms"])
    res["median_rss_kb"] = median(res["rss_kb"][1:] or res["rss_kb"])
    rows[(r["server"], r["set"])] = r
servers = sorted({s for s, _ in rows}, key=lambda s: s != "jnatsd")
def extra(s, name):
    return rows[(s, name)]["result"]["median_ready_ms"] - rows[(s, "empty")]["result"]["median_ready_ms"]
def rss(s, name):
    return rows[(s, name)]["result"]["median_rss_kb"] / 1024
def per_msg(s, name):
    r = rows[(s, name)]
    return r["disk_bytes"] / r["messages"]
print("Restart of a file stream after a graceful stop (medians)")
print(f"{'server':9} {'set':6} {'messages':>11} {'size':>5} {'ready ms':>9} {'extra ms':>9} {'RSS MB':>8} {'B/msg':>7}")
for s in servers:
    e = rows[(s, "empty")]["result"]
    print(f"{s:9} {'empty':6} {0:>11,} {'':>5} {e['median_ready_ms']:>9.1f} {'':>9} {e['median_rss_kb'] / 1024:>8.1f} {'':>7}")
    for name in ("small", "large"):
        r = rows[(s, name)]
        print(f"{s:9} {name:6} {r['messages']:>11,} {r['size']:>5} {r['result']['median_ready_ms']:>9.1f} "
              f"{extra(s, name):>9.1f} {rss(s, name):>8.1f} {per_msg(s, name):>7.1f}")
if "jnatsd" in servers and "upstream" in servers:
    print("jnatsd / upstream (target: extra <= 1.0, RSS <= 1.0, B/msg <= 1.0)")
    for name in ("small", "large"):
        u = extra("upstream", name)
        ratio = f"{extra('jnatsd', name) / u:.2f}" if u > 0 else f"n/a (upstream extra {u:.1f} ms)"
        print(f"  {name:6} extra {ratio}   RSS {rss('jnatsd', name) / rss('upstream', name):.2f}"
              f"   B/msg {per_msg('jnatsd', name) / per_msg('upstream', name):.2f}")
EOF
