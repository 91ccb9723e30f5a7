#!/usr/bin/env bash
# Side-by-side benchmark of jnatsd against upstream nats-server on this machine.
#
#   bench/compare.sh [--rounds N] [--workloads pub,pubsub,fanout,queue,reqrep] [--sizes 16,128,1024,65536]
#                    [--msgs N] [--requests N] [--subs N] [--quick] [--no-resources] [--no-throughput]
#                    [--js-workloads js-pub,js-pub-async,js-pull,js-push,kv-put,kv-get] [--js-sizes 16,1024]
#                    [--js-sync default,always] [--js-msgs N] [--js-consume-msgs N] [--kv-ops N] [--no-js]
#
# Starts `bin/jnatsd -a 127.0.0.1 -p P1` and `nats-server -a 127.0.0.1 -p P2` on two free loopback ports,
# runs every selected workload x size against each ALTERNATELY (jnatsd, upstream, jnatsd, upstream, ...),
# one fresh load-tool JVM per run (bench/target/jnatsd-bench.jar, the same client code for both), and
# prints per workload+size the median of each, the ratio jnatsd/upstream and the spread. Then, on fresh
# server processes: startup time to first accepted connection, RSS with 10,000 idle connections, and
# the time and RSS to create 100,000 subscriptions on one connection. Raw results (JSON lines) and
# server logs are kept in bench/target/compare-<time>/. Only the processes it started are stopped.
# JetStream (js-pub: one PubAck at a time; js-pub-async: a window of outstanding acks; js-pull: a durable
# pull consumer with acks; js-push: a push consumer; kv-put, kv-get: latency) runs on servers started with
# JetStream on a fresh store directory each, once per --js-sync mode (default: the 2-minute background
# sync; always: sync_interval always); results are labelled js-pub/<mode>, kv-get/<mode>, ...
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

ROUNDS=""
WORKLOADS=pub,pubsub,fanout,queue,reqrep
SIZES=16,128,1024,65536
MSGS=""
REQUESTS=""
SUBS=10
QUICK=0
RESOURCES=1
THROUGHPUT=1
CONNECTIONS=10000
SUBSCRIPTIONS=100000
STARTUPS=3
JS=1
JS_WORKLOADS=js-pub,js-pub-async,js-pull,js-push,kv-put,kv-get
JS_SIZES=16,1024
JS_SYNC=default,always
JS_MSGS=""
JS_CONSUME_MSGS=""
KV_OPS=""

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --msgs) MSGS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --subs) SUBS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --no-resources) RESOURCES=0; shift ;;
    --no-throughput) THROUGHPUT=0; shift ;;
    --js-workloads) JS_WORKLOADS=$2; shift 2 ;;
    --js-sizes) JS_SIZES=$2; shift 2 ;;
    --js-sync) JS_SYNC=$2; shift 2 ;;
    --js-msgs) JS_MSGS=$2; shift 2 ;;
    --js-consume-msgs) JS_CONSUME_MSGS=$2; shift 2 ;;
    --kv-ops) KV_OPS=$2; shift 2 ;;
    --no-js) JS=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

# --quick: a short sanity run (2 rounds, fewer messages); explicit options still win.
if [ "$QUICK" = 1 ]; then
  ROUNDS=${ROUNDS:-2}
  MSGS=${MSGS:-100000}
  REQUESTS=${REQUESTS:-2000}
  BYTES_BUDGET=$((128 * 1024 * 1024))
  STARTUPS=2
  JS_MSGS=${JS_MSGS:-10000}
  JS_CONSUME_MSGS=${JS_CONSUME_MSGS:-100000}
  KV_OPS=${KV_OPS:-5000}
  JS_BYTES_BUDGET=$((32 * 1024 * 1024))
else
  ROUNDS=${ROUNDS:-3}
  MSGS=${MSGS:-500000}
  REQUESTS=${REQUESTS:-10000}
  BYTES_BUDGET=$((1024 * 1024 * 1024))
  JS_MSGS=${JS_MSGS:-50000}
  JS_CONSUME_MSGS=${JS_CONSUME_MSGS:-1000000}
  KV_OPS=${KV_OPS:-20000}
  JS_BYTES_BUDGET=$((256 * 1024 * 1024))
fi

command -v nats-server >/dev/null || { echo "compare.sh: upstream nats-server is not on the PATH (apt-get install nats-server)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "compare.sh: python3 is needed for the summary" >&2; exit 1; }

# shellcheck source=servers.sh
. "$here/servers.sh"
build_jars
CLIENT_OPTS=${BENCH_JAVA_OPTS:--Xms1g -Xmx3g}

# 10,000 idle connections need as many descriptors in the server and in the probe.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((CONNECTIONS + 1000)) ]; then
  echo "compare.sh: open-file limit $(ulimit -n) is below $((CONNECTIONS + 1000)); using fewer idle connections" >&2
  CONNECTIONS=$(( $(ulimit -n) - 1000 ))
fi

OUT="$root/bench/target/compare-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"

now_ns() { local t=${EPOCHREALTIME//[!0-9]/}; echo "${t}000"; } # from a builtin: no process per call

# msgs for one run: --msgs, capped so one run moves at most BYTES_BUDGET payload bytes to receivers.
msgs_for() {
  local w=$1 size=$2 receivers=1
  if [ "$w" = reqrep ]; then echo "$REQUESTS"; return; fi
  [ "$w" = fanout ] && receivers=$SUBS
  local cap=$(( BYTES_BUDGET / ( (size > 0 ? size : 1) * receivers ) ))
  [ "$cap" -lt 200 ] && cap=200
  [ "$MSGS" -lt "$cap" ] && echo "$MSGS" || echo "$cap"
}

# msgs for one JetStream run: publishes (--js-msgs), consumed messages of a stream pre-filled per run
# (--js-consume-msgs, capped at JS_BYTES_BUDGET of payload), or KV operations (--kv-ops).
js_msgs_for() {
  local w=$1 size=$2 cap
  case "$w" in
    js-pull|js-push)
      cap=$(( JS_BYTES_BUDGET / (size > 0 ? size : 1) ))
      [ "$cap" -lt 200 ] && cap=200
      [ "$JS_CONSUME_MSGS" -lt "$cap" ] && echo "$JS_CONSUME_MSGS" || echo "$cap" ;;
    kv-put|kv-get) echo "$KV_OPS" ;;
    *) echo "$JS_MSGS" ;;
  esac
}

run_load() {
  local label=$1 port=$2 w=$3 size=$4 n=$5 suffix=${6:-} line rc=0
  line=$("$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "nats://127.0.0.1:$port" -w "$w" --size "$size" \
           --msgs "$n" --subs "$SUBS" --json 2>>"$OUT/load-tool.err") || rc=$?
  if [ $rc -ne 0 ]; then
    echo "compare.sh: $label $w $size B FAILED (exit $rc): $(tail -n 1 "$OUT/load-tool.err")" >&2
    [ -n "$line" ] || line="{\"workload\":\"$w\",\"size\":$size,\"error\":\"exit $rc\"}"
  fi
  # JetStream runs are labelled with the server's sync mode: js-pub/always
  [ -n "$suffix" ] && line=${line/\"workload\":\"$w\"/\"workload\":\"$w\/$suffix\"}
  printf '{"server":"%s","round":%d,"result":%s}\n' "$label" "$ROUND" "$line" >> "$RESULTS"
}

IFS=, read -r -a WL <<< "$WORKLOADS"
IFS=, read -r -a SZ <<< "$SIZES"

echo "compare.sh: results in $OUT" >&2
echo "upstream: $(nats-server --version 2>&1 | head -n1); jnatsd: $SERVER_JAR; java: $("$JAVA" -version 2>&1 | head -n1)" > "$OUT/versions.txt"

# ---- throughput and latency ------------------------------------------------------------------
if [ "$THROUGHPUT" = 1 ]; then
  read -r P1 P2 < <(free_ports)
  start_server jnatsd "$P1" "$OUT/jnatsd.log"; JPID=$STARTED_PID
  start_server upstream "$P2" "$OUT/upstream.log"; UPID=$STARTED_PID
  wait_accepting "$P1" "$JPID"
  wait_accepting "$P2" "$UPID"
  echo "compare.sh: jnatsd pid $JPID on $P1, nats-server pid $UPID on $P2; $ROUNDS rounds" >&2

  # One unmeasured pass per workload so neither server is measured cold.
  ROUND=0
  for w in "${WL[@]}"; do
    n=$(msgs_for "$w" 128); n=$(( n / 10 > 1000 ? n / 10 : 1000 ))
    "$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "nats://127.0.0.1:$P1" -w "$w" --size 128 --msgs "$n" --subs "$SUBS" >/dev/null 2>&1 || true
    "$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "nats://127.0.0.1:$P2" -w "$w" --size 128 --msgs "$n" --subs "$SUBS" >/dev/null 2>&1 || true
  done

  for ROUND in $(seq 1 "$ROUNDS"); do
    for w in "${WL[@]}"; do
      for size in "${SZ[@]}"; do
        n=$(msgs_for "$w" "$size")
        echo "compare.sh: round $ROUND/$ROUNDS $w $size B x $n" >&2
        run_load jnatsd "$P1" "$w" "$size" "$n"
        run_load upstream "$P2" "$w" "$size" "$n"
        kill -0 "$JPID" 2>/dev/null || { echo "compare.sh: jnatsd died; see $OUT/jnatsd.log" >&2; exit 1; }
        kill -0 "$UPID" 2>/dev/null || { echo "compare.sh: nats-server died; see $OUT/upstream.log" >&2; exit 1; }
      done
    done
  done
  stop_server "$JPID"
  stop_server "$UPID"
fi

# ---- JetStream and KV, once per sync mode, on servers with a fresh store each --------------------
if [ "$JS" = 1 ]; then
  IFS=, read -r -a JWL <<< "$JS_WORKLOADS"
  IFS=, read -r -a JSZ <<< "$JS_SIZES"
  IFS=, read -r -a JMODES <<< "$JS_SYNC"
  for mode in "${JMODES[@]}"; do
    for kind in jnatsd upstream; do
      store="$OUT/js-store-$kind-$mode"; mkdir -p "$store"
      {
        echo "jetstream {"
        echo "  store_dir: \"$store\""
        [ "$mode" = always ] && echo "  sync_interval: always"
        echo "}"
      } > "$OUT/js-$kind-$mode.conf"
    done
    # upstream before 2.10 has no sync_interval: then jnatsd runs alone in that mode
    WITH_UP=1
    if ! nats-server -t -c "$OUT/js-upstream-$mode.conf" >"$OUT/upstream-js-$mode.check" 2>&1; then
      echo "compare.sh: upstream does not take the '$mode' sync setting ($(grep -v "^$" "$OUT/upstream-js-$mode.check" | tail -n 1)); jnatsd only" >&2
      WITH_UP=0
    fi
    read -r P1 P2 < <(free_ports)
    start_server jnatsd "$P1" "$OUT/jnatsd-js-$mode.log" -c "$OUT/js-jnatsd-$mode.conf"; JPID=$STARTED_PID
    wait_accepting "$P1" "$JPID"
    UPID=""
    if [ "$WITH_UP" = 1 ]; then
      start_server upstream "$P2" "$OUT/upstream-js-$mode.log" -c "$OUT/js-upstream-$mode.conf"; UPID=$STARTED_PID
      wait_accepting "$P2" "$UPID"
    fi
    echo "compare.sh: JetStream ($mode sync): jnatsd pid $JPID on $P1${UPID:+, nats-server pid $UPID on $P2}" >&2
    ROUND=0
    for w in "${JWL[@]}"; do # one unmeasured pass each
      n=$(js_msgs_for "$w" 128); n=$(( n / 10 > 500 ? n / 10 : 500 ))
      "$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "nats://127.0.0.1:$P1" -w "$w" --size 128 --msgs "$n" >/dev/null 2>&1 || true
      [ -z "$UPID" ] || "$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "nats://127.0.0.1:$P2" -w "$w" --size 128 --msgs "$n" >/dev/null 2>&1 || true
    done
    for ROUND in $(seq 1 "$ROUNDS"); do
      for w in "${JWL[@]}"; do
        for size in "${JSZ[@]}"; do
          n=$(js_msgs_for "$w" "$size")
          echo "compare.sh: JetStream ($mode sync) round $ROUND/$ROUNDS $w $size B x $n" >&2
          run_load jnatsd "$P1" "$w" "$size" "$n" "$mode"
          [ -z "$UPID" ] || run_load upstream "$P2" "$w" "$size" "$n" "$mode"
          kill -0 "$JPID" 2>/dev/null || { echo "compare.sh: jnatsd died; see $OUT/jnatsd-js-$mode.log" >&2; exit 1; }
          [ -z "$UPID" ] || kill -0 "$UPID" 2>/dev/null || { echo "compare.sh: nats-server died; see $OUT/upstream-js-$mode.log" >&2; exit 1; }
        done
      done
    done
    stop_server "$JPID"
    [ -z "$UPID" ] || stop_server "$UPID"
    rm -rf "$OUT"/js-store-*-"$mode"
  done
fi

# ---- startup, idle connections, subscriptions (each on a fresh server) ------------------------
if [ "$RESOURCES" = 1 ]; then
  probe() { "$JAVA" -Xmx1g -cp "$BENCH_JAR" io.jnatsd.bench.ResourceProbe "$@"; }

  # Startup: launch to first accepted TCP connection. One unmeasured start each first (page
  # cache; jnatsd's class-data-sharing archive is created on its first run).
  for kind in jnatsd upstream; do
    read -r P _ < <(free_ports)
    start_server "$kind" "$P" "$OUT/startup-$kind.log"; pid=$STARTED_PID
    wait_accepting "$P" "$pid"; sleep 0.5; stop_server "$pid"
  done
  for i in $(seq 1 "$STARTUPS"); do
    for kind in jnatsd upstream; do
      read -r P _ < <(free_ports)
      t0=$(now_ns)
      start_server "$kind" "$P" "$OUT/startup-$kind.log"; pid=$STARTED_PID
      wait_accepting "$P" "$pid"
      t1=$(now_ns)
      printf '{"server":"%s","resource":{"probe":"startup","startup_ms":%s}}\n' "$kind" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1e6}')" >> "$RESULTS"
      stop_server "$pid"
    done
  done

  for what in connections subscriptions; do
    count=$CONNECTIONS; [ "$what" = subscriptions ] && count=$SUBSCRIPTIONS
    for kind in jnatsd upstream; do
      read -r P _ < <(free_ports)
      start_server "$kind" "$P" "$OUT/$what-$kind.log"; pid=$STARTED_PID
      wait_accepting "$P" "$pid"
      sleep 1 # let a JVM finish starting up before the baseline RSS is read
      echo "compare.sh: $kind: $what x $count" >&2
      if line=$(probe "$what" 127.0.0.1 "$P" "$pid" "$count" 2>>"$OUT/probe.err"); then
        printf '{"server":"%s","resource":%s}\n' "$kind" "$line" >> "$RESULTS"
      else
        echo "compare.sh: $kind $what probe FAILED: $(tail -n 1 "$OUT/probe.err")" >&2
        printf '{"server":"%s","resource":{"probe":"%s","error":"failed"}}\n' "$kind" "$what" >> "$RESULTS"
      fi
      stop_server "$pid"
    done
  done
fi

python3 "$here/compare_report.py" "$RESULTS" | tee "$OUT/report.txt"
