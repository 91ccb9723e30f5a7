#!/usr/bin/env bash
# Gateway benchmark: two jnatsd clusters joined by gateways beside the same upstream topology.
#
#   bench/gateway.sh [--rounds N] [--workloads pubsub,reqrep] [--sizes 16,1024] [--msgs N]
#                    [--requests N] [--quick]
#
# Starts, for each of jnatsd and upstream nats-server, cluster A (nodes a1, a2, routed) and cluster
# B (node b1) on free loopback ports, every node with a gateway listener; a1 names B's gateway and b1
# names A's, a2 learns B from its route (gossip). Started once for all rounds; it waits until every
# node delivers to every other (io.jnatsd.bench.MeshProbe: routes and gateways are up, and the
# interest has crossed). Then every workload x size runs against each super-cluster ALTERNATELY
# (jnatsd, upstream, ...), one fresh load-tool JVM per run:
#   pubsub  publisher on a1 -> subscriber on b1 (one gateway hop)      msgs/s
#   reqrep  requester on a1 -> responder on b1, one request at a time   latency p50/p99, req/s
# The load tool waits until the subscriber's interest has reached a1 before publishing. The report
# (compare_report.py) gives per workload+size the medians, the ratio jnatsd/upstream and the spread.
# Raw results, the exact load-tool and server commands, the configs and the six server logs are in
# bench/target/gateway-<time>/. Only the processes it started are stopped. Not part of any test run.
# Defaults: 3 rounds, --msgs 500000 (capped at 1 GiB of payload a run), --requests 10000; --quick:
# 2 rounds, 100000 msgs (128 MiB cap), 2000 requests. BENCH_JAVA_OPTS: the load tool's JVM flags.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

ROUNDS=""
WORKLOADS=pubsub,reqrep
SIZES=16,1024
MSGS=""
REQUESTS=""
QUICK=0
NODES=(a1 a2 b1)

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

ARGS="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --msgs) MSGS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "gateway.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

IFS=, read -r -a WL <<< "$WORKLOADS"
IFS=, read -r -a SZ <<< "$SIZES"
for w in "${WL[@]}"; do
  case "$w" in pubsub|reqrep) ;; *) echo "gateway.sh: unknown workload $w (pubsub, reqrep)" >&2; exit 2 ;; esac
done

command -v nats-server >/dev/null || { echo "gateway.sh: upstream nats-server is not on the PATH (apt-get install nats-server)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "gateway.sh: python3 is needed for the summary" >&2; exit 1; }

# shellcheck source=servers.sh
. "$here/servers.sh"
# shellcheck source=runs.sh
. "$here/runs.sh"
apply_run_defaults
build_jars
CLIENT_OPTS=${BENCH_JAVA_OPTS:--Xms1g -Xmx3g}

OUT="$root/bench/target/gateway-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
COMMANDS="$OUT/commands.txt"
: > "$RESULTS"
: > "$COMMANDS"

# ---- the two super-clusters ---------------------------------------------------------------------
# 18 free ports: client, route and gateway port of each of the six nodes.
read -r -a PORTS < <(free_ports 18)
declare -A CPORT RPORT GPORT PID
i=0
for kind in jnatsd upstream; do
  for n in "${NODES[@]}"; do
    CPORT[$kind.$n]=${PORTS[$i]}; RPORT[$kind.$n]=${PORTS[$((i + 1))]}; GPORT[$kind.$n]=${PORTS[$((i + 2))]}; i=$((i + 3))
  done
done

# config KIND NODE: the node's config file (cluster A is routed; a1 and b1 name each other's gateway).
config() {
  local kind=$1 n=$2 f="$OUT/$1-$2.conf"
  {
    echo "server_name: $kind-$n"
    if [ "${n:0:1}" = a ]; then
      echo "cluster { name: A, listen: \"127.0.0.1:${RPORT[$kind.$n]}\", routes: [\"nats-route://127.0.0.1:${RPORT[$kind.a1]}\"] }"
      echo "gateway { name: A, listen: \"127.0.0.1:${GPORT[$kind.$n]}\""
      [ "$n" = a1 ] && echo "  gateways: [ {name: B, url: \"nats://127.0.0.1:${GPORT[$kind.b1]}\"} ]"
      echo "}"
    else
      echo "gateway { name: B, listen: \"127.0.0.1:${GPORT[$kind.$n]}\""
      echo "  gateways: [ {name: A, url: \"nats://127.0.0.1:${GPORT[$kind.a1]}\"} ]"
      echo "}"
    fi
  } > "$f"
  echo "$f"
}

start_node() {
  local kind=$1 n=$2 conf
  conf=$(config "$kind" "$n")
  start_server "$kind" "${CPORT[$kind.$n]}" "$OUT/$kind-$n.log" -c "$conf"
  PID[$kind.$n]=$STARTED_PID
  server_cmd "$kind" "${CPORT[$kind.$n]}" -c "$conf"
  echo "${SERVER_CMD[*]}" >> "$OUT/servers.txt"
}

urls() { # urls KIND: the client URLs of a1, a2, b1, comma-separated
  local kind=$1 n out=()
  for n in "${NODES[@]}"; do out+=("nats://127.0.0.1:${CPORT[$kind.$n]}"); done
  (IFS=,; echo "${out[*]}")
}

echo "gateway.sh: results in $OUT" >&2
echo "upstream: $(nats-server --version 2>&1 | head -n1); jnatsd: $SERVER_JAR; java: $("$JAVA" -version 2>&1 | head -n1)" > "$OUT/versions.txt"
: > "$OUT/servers.txt"

for kind in jnatsd upstream; do
  start_node "$kind" a1
  wait_accepting "${CPORT[$kind.a1]}" "${PID[$kind.a1]}"
  start_node "$kind" a2
  start_node "$kind" b1
  for n in a2 b1; do wait_accepting "${CPORT[$kind.$n]}" "${PID[$kind.$n]}"; done
done

# Every node delivers to every other (await_mesh, runs.sh).
for kind in jnatsd upstream; do
  await_mesh "$kind" super-cluster "$(urls "$kind")"
  echo "gateway.sh: $kind super-cluster: $(tail -n 1 "$OUT/mesh.txt") (pids ${PID[$kind.a1]} ${PID[$kind.a2]} ${PID[$kind.b1]})" >&2
done
alive

load_cmd() {
  local kind=$1 w=$2 size=$3 n=$4
  LOAD_CMD=("$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "nats://127.0.0.1:${CPORT[$kind.a1]}"
            --sub-url "nats://127.0.0.1:${CPORT[$kind.b1]}" -w "$w" --size "$size" --msgs "$n" --json)
}

warm_up_and_measure

{
  echo "bench/gateway.sh $ARGS"
  echo "clusters A (a1, a2) and B (b1) joined by gateways on 127.0.0.1: jnatsd ($(urls jnatsd)), upstream ($(urls upstream));"
  echo "publisher/requester on a1, subscriber/responder on b1."
  echo "$(cat "$OUT/versions.txt")"
  python3 "$here/compare_report.py" "$RESULTS"
} | tee "$OUT/report.txt"
