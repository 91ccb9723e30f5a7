#!/usr/bin/env bash
# MQTT and NATS-over-WebSocket throughput of jnatsd beside upstream nats-server (and Mosquitto for MQTT).
#
#   bench/mqtt.sh [--rounds N] [--qos 0,1] [--sizes 16,1024] [--msgs N] [--ws-msgs N] [--no-mosquitto] [--no-ws]
#                 [--quick]
#
# Starts jnatsd and nats-server with the same config (server_name, JetStream on a fresh store each, an mqtt
# listener, a websocket listener without TLS) and Mosquitto (when /usr/sbin/mosquitto exists) on free loopback
# ports. MQTT: for each QoS x size, one publisher and one subscriber (io.jnatsd.bench.MqttLoad: raw sockets, MQTT 3.1.1,
# which all three speak) run against each server in turn, round after round, one fresh load JVM per run;
# msgs/s counts from the first PUBLISH to the last message received (QoS 1: every message must arrive).
# WebSocket: the pubsub workload of the NATS load tool over ws:// against jnatsd and upstream.
# Prints the median per server, the ratio jnatsd/upstream and Mosquitto's figure; raw JSON lines and server
# logs stay in bench/target/mqtt-<time>/. Only the processes it started are stopped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/servers.sh"

ROUNDS=5
QOS=0,1
SIZES=16,1024
MSGS=200000
WS_MSGS=1000000
MOSQ=1
WS=1

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --qos) QOS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --msgs) MSGS=$2; shift 2 ;;
    --ws-msgs) WS_MSGS=$2; shift 2 ;;
    --no-mosquitto) MOSQ=0; shift ;;
    --no-ws) WS=0; shift ;;
    --quick) ROUNDS=1; MSGS=2000; WS_MSGS=20000; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$ME: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -x /usr/sbin/mosquitto ] || MOSQ=0

build_jars
CLIENT_OPTS="-Xms256m -Xmx1g"
OUT="$root/bench/target/mqtt-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"

read -r J_NATS J_MQTT J_WS U_NATS U_MQTT U_WS M_MQTT < <(free_ports 7)

server_conf() { # KIND MQTT_PORT WS_PORT -> config file path
  local f="$OUT/$1.conf"
  mkdir -p "$OUT/$1-store"
  cat >"$f" <<CONF
server_name: bench_$1
jetstream { store_dir: "$OUT/$1-store" }
mqtt { listen: "127.0.0.1:$2" }
websocket { listen: "127.0.0.1:$3", no_tls: true }
CONF
  echo "$f"
}

start_server jnatsd "$J_NATS" "$OUT/jnatsd.log" -c "$(server_conf jnatsd "$J_MQTT" "$J_WS")"; JPID=$STARTED_PID
start_server upstream "$U_NATS" "$OUT/upstream.log" -c "$(server_conf upstream "$U_MQTT" "$U_WS")"; UPID=$STARTED_PID
wait_accepting "$J_MQTT" "$JPID"; wait_accepting "$U_MQTT" "$UPID"
if [ "$MOSQ" = 1 ]; then
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n' "$M_MQTT" >"$OUT/mosquitto.conf"
  /usr/sbin/mosquitto -c "$OUT/mosquitto.conf" >"$OUT/mosquitto.log" 2>&1 &
  MPID=$!; PIDS+=("$MPID")
  wait_accepting "$M_MQTT" "$MPID"
fi

run_mqtt() { # SERVER PORT QOS SIZE
  local line
  if line=$("$JAVA" $CLIENT_OPTS -cp "$BENCH_JAR" io.jnatsd.bench.MqttLoad "tcp://127.0.0.1:$2" "$3" "$4" "$MSGS" 2>>"$OUT/load.err"); then
    echo "{\"server\":\"$1\",\"workload\":\"mqtt-qos$3\",${line#\{}" >>"$RESULTS"
  else
    echo "$ME: $1 mqtt qos$3 size $4 failed (see $OUT/load.err)" >&2
  fi
}

run_ws() { # SERVER PORT SIZE
  local line
  if line=$("$JAVA" $CLIENT_OPTS -jar "$BENCH_JAR" --url "ws://127.0.0.1:$2" -w pubsub --size "$3" --msgs "$WS_MSGS" --json 2>>"$OUT/load.err"); then
    echo "{\"server\":\"$1\",\"workload\":\"ws-pubsub\",\"size\":$3,\"line\":$line}" >>"$RESULTS"
  else
    echo "$ME: $1 ws pubsub size $2 failed (see $OUT/load.err)" >&2
  fi
}

for round in $(seq 1 "$ROUNDS"); do
  for q in ${QOS//,/ }; do
    for s in ${SIZES//,/ }; do
      run_mqtt jnatsd "$J_MQTT" "$q" "$s"
      run_mqtt upstream "$U_MQTT" "$q" "$s"
      [ "$MOSQ" = 1 ] && run_mqtt mosquitto "$M_MQTT" "$q" "$s"
    done
  done
  if [ "$WS" = 1 ]; then
    for s in ${SIZES//,/ }; do
      run_ws jnatsd "$J_WS" "$s"
      run_ws upstream "$U_WS" "$s"
    done
  fi
  echo "$ME: round $round of $ROUNDS done" >&2
done

python3 - "$RESULTS" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def rate(r):
    if r["workload"] == "ws-pubsub":
        inner = r["line"]
        return inner.get("msgs_per_sec") or inner.get("throughput") or 0
    return r["msgs_per_sec"]
groups = {}
for r in rows:
    groups.setdefault((r["workload"], r["size"]), {}).setdefault(r["server"], []).append(rate(r))
print(f"{'workload':<12} {'size':>6} {'jnatsd':>12} {'upstream':>12} {'ratio':>7} {'mosquitto':>12}")
for (w, s), by in sorted(groups.items()):
    med = {k: statistics.median(v) for k, v in by.items()}
    j, u, m = med.get("jnatsd"), med.get("upstream"), med.get("mosquitto")
    ratio = f"{j / u:.2f}" if j and u else "-"
    fmt = lambda x: f"{x:,.0f}" if x else "-"
    print(f"{w:<12} {s:>6} {fmt(j):>12} {fmt(u):>12} {ratio:>7} {fmt(m):>12}")
PY
echo "raw results: $RESULTS" >&2
