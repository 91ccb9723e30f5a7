#!/usr/bin/env bash
# Restart of a stream holding many small messages: recovery time of jnatsd beside upstream's.
#
#   bench/recovery.sh [--msgs N] [--size BYTES] [--rounds R] [--kill] [--servers jnatsd,upstream] [--keep]
#
# For each server: start it with JetStream on a fresh store directory (`-js -sd DIR`), fill a file
# stream with N messages of BYTES bytes (default 10,000,000 x 16; async publish through jnats, acks
# checked), stop it (SIGTERM, a graceful shutdown; --kill: SIGKILL, a crash), then R times (default 3):
# start it again on the same directory and measure from starting the process to the first accepted
# connection and to the first $JS.API.STREAM.INFO answer reporting all N messages, then stop it the
# same way. Prints each server's median and the ratio jnatsd / upstream (below 1: jnatsd faster).
# The probe (io.jnatsd.bench.RecoveryProbe) starts the restarted servers itself, so its own JVM start
# is not measured. Results, logs and (with --keep) the store directories are in
# bench/target/recovery-<time>/. Only the processes it started are stopped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

MSGS=10000000
SIZE=16
ROUNDS=3
STOP=term
SERVERS=jnatsd,upstream
KEEP=0
STREAM=RECOVERY

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --msgs) MSGS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --kill) STOP=kill; shift ;;
    --servers) SERVERS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "recovery.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

command -v python3 >/dev/null || { echo "recovery.sh: python3 is needed" >&2; exit 1; }
if [[ ",$SERVERS," == *,upstream,* ]] && ! command -v nats-server >/dev/null; then
  echo "recovery.sh: upstream nats-server is not on the PATH (apt-get install nats-server)" >&2; exit 1
fi

# shellcheck source=servers.sh
. "$here/servers.sh"
build_jars
PROBE_OPTS=${BENCH_JAVA_OPTS:--Xms1g -Xmx3g}
probe() { "$JAVA" $PROBE_OPTS -cp "$BENCH_JAR" io.jnatsd.bench.RecoveryProbe "$@"; }

OUT="$root/bench/target/recovery-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
echo "recovery.sh: results in $OUT" >&2
{
  echo "upstream: $(nats-server --version 2>&1 | head -n1 || true)"
  echo "java: $("$JAVA" -version 2>&1 | head -n1)"
} > "$OUT/versions.txt"

IFS=, read -r -a KINDS <<< "$SERVERS"
for kind in "${KINDS[@]}"; do
  store="$OUT/store-$kind"
  mkdir -p "$store"
  read -r PORT _ < <(free_ports)
  start_server "$kind" "$PORT" "$OUT/$kind-fill.log" -js -sd "$store"; pid=$STARTED_PID
  wait_accepting "$PORT" "$pid"
  echo "recovery.sh: $kind: filling $STREAM with $MSGS x $SIZE B" >&2
  line=$(probe fill "nats://127.0.0.1:$PORT" "$STREAM" "$MSGS" "$SIZE")
  printf '{"server":"%s","result":%s}\n' "$kind" "$line" >> "$RESULTS"
  if [ "$STOP" = kill ]; then
    kill -KILL "$pid"; wait "$pid" 2>/dev/null || true; forget_pid "$pid"
  else
    stop_server "$pid" 600 # a graceful stop writes the stream's index: give it time
  fi
  disk=$(du -sb "$store" | cut -f1)
  echo "recovery.sh: $kind: $disk bytes on disk; $ROUNDS restarts ($STOP)" >&2
  server_cmd "$kind" "$PORT" -js -sd "$store"
  line=$(probe restart "$PORT" "$STREAM" "$MSGS" "$ROUNDS" "$STOP" "$OUT/$kind-restart.log" -- "${SERVER_CMD[@]}")
  printf '{"server":"%s","disk_bytes":%s,"result":%s}\n' "$kind" "$disk" "$line" >> "$RESULTS"
  [ "$KEEP" = 1 ] || rm -rf "$store"
done

python3 - "$RESULTS" <<'EOF' | tee "$OUT/report.txt"
import json, sys
fill, restart = {}, {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    (fill if r["result"]["probe"] == "fill" else restart)[r["server"]] = r
any_r = next(iter(restart.values()))["result"]
print(f"Restart of a stream holding {any_r['messages']:,} messages (stop: {any_r['stop']})")
print(f"{'server':10} {'fill msgs/s':>12} {'disk MB':>9} {'accept ms':>10} {'ready ms (median)':>18}  rounds")
for s, r in restart.items():
    res = r["result"]
    print(f"{s:10} {fill[s]['result']['msgs_per_s']:>12,.0f} {r['disk_bytes'] / 1e6:>9.1f} "
          f"{sorted(res['accept_ms'])[len(res['accept_ms']) // 2]:>10.1f} {res['median_ready_ms']:>18.1f}  {res['ready_ms']}")
if "jnatsd" in restart and "upstream" in restart:
    j, u = restart["jnatsd"]["result"]["median_ready_ms"], restart["upstream"]["result"]["median_ready_ms"]
    print(f"ratio jnatsd / upstream (ready): {j / u:.2f}  (below 1: jnatsd recovers faster)")
EOF
