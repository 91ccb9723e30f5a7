#!/usr/bin/env bash
# Clustered JetStream benchmark: a 3-node jnatsd JetStream cluster beside a 3-node upstream one on this machine.
#
#   bench/jetstream-cluster.sh [--rounds N] [--workloads js-pub,js-pub-async,js-pull,kv-put,kv-get]
#                              [--sizes 16,1024] [--msgs N] [--consume-msgs N] [--kv-ops N]
#                              [--replicas N] [--quick]
#
# Every round starts three `bin/jnatsd` nodes A, B, C and three upstream `nats-server` nodes on free
# loopback ports, each with `jetstream {}` on a FRESH store directory (per round, removed after it;
# default sync, as upstream 2.9 has no sync_interval) and a `cluster {}` block whose routes list
# all three nodes (jnatsd also a `raft_port`; upstream runs its Raft over the routes). It waits until
# each cluster is a full mesh (io.jnatsd.bench.MeshProbe) and takes replicated streams (every node's
# JetStream API answers, an R3 stream is created and written: io.jnatsd.bench.JetStreamProbe), runs
# one unmeasured pass per workload, then every workload x size against each cluster ALTERNATELY
# (jnatsd, upstream, ...), one fresh load-tool JVM per run, each run on a fresh file stream or bucket
# of --replicas (3) replicas that it deletes at the end; then it stops that round's six servers.
#   js-pub        publisher on A, one PubAck at a time                              msgs/s
#   js-pub-async  publisher on A, up to 1024 PubAcks outstanding                    msgs/s
#   js-pull       stream pre-filled through A (untimed); durable pull consumer on B,  msgs/s
#                 batches of 500, every message acked, timed until all acks are processed
#   kv-put        client on A, one put at a time                                     latency p50/p99, ops/s
#   kv-get        client on A, one get at a time on a bucket pre-filled through A    latency p50/p99, ops/s
# Where the stream's (and bucket's) Raft leader lands is up to each server; it varies between runs,
# so compare medians. The report (compare_report.py) gives per workload+size the medians, the ratio
# jnatsd/upstream and the spread (targets: throughput ratio >= 1.0, latency p50/p99 ratios <= 1.0).
# Raw results (JSON lines), the exact load-tool command of every workload x size (commands.txt), the
# server commands and configs, the readiness checks and each round's six server logs (round-N/) are
# kept in bench/target/jetstream-cluster-<time>/. Only the processes it started are stopped.
# Defaults: 3 rounds, --msgs 50000 publishes, --consume-msgs 1000000 (capped at 256 MiB of payload a
# run), --kv-ops 20000; --quick: 2 rounds, 10000, 100000 (32 MiB cap), 5000. Not part of any test
# run. BENCH_JAVA_OPTS: the load tool's JVM flags.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

ROUNDS=""
WORKLOADS=js-pub,js-pub-async,js-pull,kv-put,kv-get
SIZES=16,1024
JS_MSGS=""
JS_CONSUME_MSGS=""
KV_OPS=""
REPLICAS=3
QUICK=0
NODES=(a b c)

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; }

ARGS="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --msgs) JS_MSGS=$2; shift 2 ;;
    --consume-msgs) JS_CONSUME_MSGS=$2; shift 2 ;;
    --kv-ops) KV_OPS=$2; shift 2 ;;
    --replicas) REPLICAS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "jetstream-cluster.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

IFS=, read -r -a WL <<< "$WORKLOADS"
IFS=, read -r -a SZ <<< "$SIZES"
for w in "${WL[@]}"; do
  case "$w" in js-pub|js-pub-async|js-pull|js-push|kv-put|kv-get) ;;
    *) echo "jetstream-cluster.sh: unknown workload $w (js-pub, js-pub-async, js-pull, js-push, kv-put, kv-get)" >&2; exit 2 ;;
  esac
done
case "$REPLICAS" in 1|2|3) ;; *) echo "jetstream-cluster.sh: --replicas must be 1, 2 or 3 (three nodes)" >&2; exit 2 ;; esac

command -v nats-server >/dev/null || { echo "jetstream-cluster.sh: upstream nats-server is not on the PATH (apt-get install nats-server)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "jetstream-cluster.sh: python3 is needed for the summary" >&2; exit 1; }

# shellcheck source=servers.sh
. "$here/servers.sh"
# shellcheck source=runs.sh
. "$here/runs.sh"
apply_run_defaults
build_jars
CLIENT_OPTS=${BENCH_JAVA_OPTS:--Xms1g -Xmx3g}

OUT="$root/bench/target/jetstream-cluster-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
COMMANDS="$OUT/commands.txt"
: > "$RESULTS"
: > "$COMMANDS"
: > "$OUT/servers.txt"

declare -A CPORT RPORT JPORT PID

# config KIND NODE: the node's config file in this round's directory (client address and port are
# flags, as in the other scripts).
config() {
  local kind=$1 n=$2 f="$LOGDIR/$1-$2.conf" m routes=()
  for m in "${NODES[@]}"; do routes+=("\"nats-route://127.0.0.1:${RPORT[$kind.$m]}\""); done
  {
    echo "server_name: $kind-$n"
    if [ "$kind" = jnatsd ]; then
      echo "jetstream { store_dir: \"$LOGDIR/store-$kind-$n\", raft_port: ${JPORT[$kind.$n]} }"
    else
      echo "jetstream { store_dir: \"$LOGDIR/store-$kind-$n\" }"
    fi
    echo "cluster { name: bench-$kind, listen: \"127.0.0.1:${RPORT[$kind.$n]}\", routes: [$(IFS=,; echo "${routes[*]}")] }"
  } > "$f"
  echo "$f"
}

start_node() {
  local kind=$1 n=$2 conf
  conf=$(config "$kind" "$n")
  start_server "$kind" "${CPORT[$kind.$n]}" "$LOGDIR/$kind-$n.log" -c "$conf"
  PID[$kind.$n]=$STARTED_PID
  server_cmd "$kind" "${CPORT[$kind.$n]}" -c "$conf"
  echo "round $ROUND: ${SERVER_CMD[*]}" >> "$OUT/servers.txt"
}

urls() { # urls KIND: the client URLs of A, B, C, comma-separated
  local kind=$1 n out=()
  for n in "${NODES[@]}"; do out+=("nats://127.0.0.1:${CPORT[$kind.$n]}"); done
  (IFS=,; echo "${out[*]}")
}

# start_clusters: both clusters on fresh ports and store directories; returns once each is a
# full mesh and takes streams of REPLICAS replicas.
start_clusters() {
  local kind n i=0 ports
  LOGDIR="$OUT/round-$ROUND"
  mkdir -p "$LOGDIR"
  # 15 free ports: client and route port of each of the six nodes, a Raft port of each jnatsd node.
  read -r -a ports < <(free_ports 15)
  for kind in jnatsd upstream; do
    for n in "${NODES[@]}"; do
      CPORT[$kind.$n]=${ports[$i]}; RPORT[$kind.$n]=${ports[$((i + 1))]}; i=$((i + 2))
      if [ "$kind" = jnatsd ]; then JPORT[$kind.$n]=${ports[$i]}; i=$((i + 1)); fi
    done
  done
  for kind in jnatsd upstream; do
    start_node "$kind" a
    wait_accepting "${CPORT[$kind.a]}" "${PID[$kind.a]}"
    start_node "$kind" b
    start_node "$kind" c
    for n in b c; do wait_accepting "${CPORT[$kind.$n]}" "${PID[$kind.$n]}"; done
  done
  for kind in jnatsd upstream; do
    await_mesh "$kind" cluster "$(urls "$kind")"
    await_jetstream "$kind" "$(urls "$kind")" "$REPLICAS"
    echo "$ME: round $ROUND: $kind cluster: $(tail -n 1 "$OUT/jetstream-ready.txt") (pids ${PID[$kind.a]} ${PID[$kind.b]} ${PID[$kind.c]}, client ports ${CPORT[$kind.a]} ${CPORT[$kind.b]} ${CPORT[$kind.c]})" >&2
  done
  alive
}

# stop_clusters: this round's six servers, then their store directories.
stop_clusters() {
  local key
  for key in "${!PID[@]}"; do stop_server "${PID[$key]}"; done
  PID=()
  rm -rf "$LOGDIR"/store-*
}

# load_cmd KIND WORKLOAD SIZE MSGS: the load-tool command line in LOAD_CMD (publisher and KV client
# on A, the pull consumer on B).
load_cmd() {
  local kind=$1 w=$2 size=$3 n=$4
  LOAD_CMD=("$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "nats://127.0.0.1:${CPORT[$kind.a]}"
            --sub-url "nats://127.0.0.1:${CPORT[$kind.b]}" --replicas "$REPLICAS"
            -w "$w" --size "$size" --msgs "$n" --json)
}

echo "jetstream-cluster.sh: results in $OUT" >&2
echo "upstream: $(nats-server --version 2>&1 | head -n1); jnatsd: $SERVER_JAR; java: $("$JAVA" -version 2>&1 | head -n1)" > "$OUT/versions.txt"

for ROUND in $(seq 1 "$ROUNDS"); do
  start_clusters
  warm_up
  measure_round
  stop_clusters
done

{
  echo "bench/jetstream-cluster.sh $ARGS"
  echo "3-node JetStream clusters on 127.0.0.1, fresh store directories every round; file streams and buckets of $REPLICAS replicas;"
  echo "publisher and KV client on A, pull consumer on B; server commands in $OUT/servers.txt, load-tool commands in $COMMANDS."
  echo "$(cat "$OUT/versions.txt")"
  python3 "$here/compare_report.py" "$RESULTS"
} | tee "$OUT/report.txt"
