#!/usr/bin/env bash
# Cluster benchmark: a 3-node jnatsd cluster beside a 3-node upstream nats-server cluster on this machine.
#
#   bench/cluster.sh [--rounds N] [--workloads pubsub,queue,reqrep] [--sizes 16,1024] [--msgs N]
#                    [--requests N] [--members N] [--quick]
#
# Starts three `bin/jnatsd` nodes A, B, C and three upstream `nats-server` nodes A, B, C on free
# loopback ports (a client and a route port each; B and C solicit a route to A, the B-C route comes
# from gossip), once for all rounds, and waits until each cluster is a full mesh (every node
# delivers to every other: io.jnatsd.bench.MeshProbe). Then it runs every workload x size against
# each cluster ALTERNATELY (jnatsd, upstream, jnatsd, ...), one fresh load-tool JVM per run:
#   pubsub  publisher on A -> subscriber on B                           msgs/s
#   queue   publisher on A -> a queue group of --members (default 10)   msgs/s, each message taken
#           members spread round-robin over A, B, C                     exactly once in all
#   reqrep  requester on A -> responder on B, one request at a time     latency p50/p99, req/s
# The load tool waits until the subscribers' interest has reached A before publishing. It prints
# per workload+size the medians, the ratio jnatsd/upstream and the spread (compare_report.py), and
# how the queue group's messages were shared among the nodes. Raw results (JSON lines), the exact
# load-tool commands and the server logs are kept in bench/target/cluster-<time>/. Only the
# processes it started are stopped. Not part of any test run.
# Defaults: 3 rounds, --msgs 500000 (capped at 1 GiB of payload a run), --requests 10000; --quick:
# 2 rounds, 100000 msgs (128 MiB cap), 2000 requests. BENCH_JAVA_OPTS: the load tool's JVM flags.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

ROUNDS=""
WORKLOADS=pubsub,queue,reqrep
SIZES=16,1024
MSGS=""
REQUESTS=""
MEMBERS=10
QUICK=0
NODES=(a b c)

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }

ARGS="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --msgs) MSGS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --members) MEMBERS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "cluster.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

IFS=, read -r -a WL <<< "$WORKLOADS"
IFS=, read -r -a SZ <<< "$SIZES"
for w in "${WL[@]}"; do
  case "$w" in pubsub|queue|reqrep) ;; *) echo "cluster.sh: unknown workload $w (pubsub, queue, reqrep)" >&2; exit 2 ;; esac
done

command -v nats-server >/dev/null || { echo "cluster.sh: upstream nats-server is not on the PATH (apt-get install nats-server)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "cluster.sh: python3 is needed for the summary" >&2; exit 1; }

# shellcheck source=servers.sh
. "$here/servers.sh"
# shellcheck source=runs.sh
. "$here/runs.sh"
apply_run_defaults
build_jars
CLIENT_OPTS=${BENCH_JAVA_OPTS:--Xms1g -Xmx3g}

OUT="$root/bench/target/cluster-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
COMMANDS="$OUT/commands.txt"
: > "$RESULTS"
: > "$COMMANDS"

# ---- the two clusters ---------------------------------------------------------------------------
# 12 free ports: client and route port of each of the six nodes.
read -r -a PORTS < <(free_ports 12)
declare -A CPORT RPORT PID
i=0
for kind in jnatsd upstream; do
  for n in "${NODES[@]}"; do
    CPORT[$kind.$n]=${PORTS[$i]}; RPORT[$kind.$n]=${PORTS[$((i + 1))]}; i=$((i + 2))
  done
done

# start_node KIND NODE: the seed (a) solicits nothing; the others a route to the seed.
start_node() {
  local kind=$1 n=$2 args
  args=(--cluster "nats://127.0.0.1:${RPORT[$kind.$n]}" --cluster_name "bench-$kind" -n "$kind-$n")
  [ "$n" = a ] || args+=(--routes "nats-route://127.0.0.1:${RPORT[$kind.a]}")
  start_server "$kind" "${CPORT[$kind.$n]}" "$OUT/$kind-$n.log" "${args[@]}"
  PID[$kind.$n]=$STARTED_PID
  server_cmd "$kind" "${CPORT[$kind.$n]}" "${args[@]}"
  echo "${SERVER_CMD[*]}" >> "$OUT/servers.txt"
}

urls() { # urls KIND: the client URLs of A, B, C, comma-separated
  local kind=$1 n out=()
  for n in "${NODES[@]}"; do out+=("nats://127.0.0.1:${CPORT[$kind.$n]}"); done
  (IFS=,; echo "${out[*]}")
}

echo "cluster.sh: results in $OUT" >&2
echo "upstream: $(nats-server --version 2>&1 | head -n1); jnatsd: $SERVER_JAR; java: $("$JAVA" -version 2>&1 | head -n1)" > "$OUT/versions.txt"
: > "$OUT/servers.txt"

for kind in jnatsd upstream; do
  # the seed first, accepting, so the others find its route port open (and a fresh jnatsd build
  # trains its start-up cache once, not three times at once)
  start_node "$kind" a
  wait_accepting "${CPORT[$kind.a]}" "${PID[$kind.a]}"
  start_node "$kind" b
  start_node "$kind" c
  for n in b c; do wait_accepting "${CPORT[$kind.$n]}" "${PID[$kind.$n]}"; done
done

# Every node delivers to every other (await_mesh, runs.sh).
for kind in jnatsd upstream; do
  await_mesh "$kind" cluster "$(urls "$kind")"
  echo "cluster.sh: $kind cluster: $(tail -n 1 "$OUT/mesh.txt") (pids ${PID[$kind.a]} ${PID[$kind.b]} ${PID[$kind.c]}, client ports ${CPORT[$kind.a]} ${CPORT[$kind.b]} ${CPORT[$kind.c]})" >&2
done
alive

# load_cmd KIND WORKLOAD SIZE MSGS: the load-tool command line in LOAD_CMD (publisher or requester
# on A, subscriber or responder on B, queue members round-robin over A, B, C).
load_cmd() {
  local kind=$1 w=$2 size=$3 n=$4
  LOAD_CMD=("$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "nats://127.0.0.1:${CPORT[$kind.a]}"
            --sub-url "nats://127.0.0.1:${CPORT[$kind.b]}" --member-urls "$(urls "$kind")" --subs "$MEMBERS"
            -w "$w" --size "$size" --msgs "$n" --json)
}

warm_up_and_measure

{
  echo "bench/cluster.sh $ARGS"
  echo "3-node clusters on 127.0.0.1: jnatsd ($(urls jnatsd)), upstream ($(urls upstream));"
  echo "publisher/requester on A, subscriber/responder on B, $MEMBERS queue members round-robin on A, B, C."
  echo "$(cat "$OUT/versions.txt")"
  python3 "$here/compare_report.py" "$RESULTS"
} | tee "$OUT/report.txt"
