# Shared by cluster.sh, gateway.sh and jetstream-cluster.sh (sourced, not run): the message budget
# of a run, the wait for every node to reach every other (and for a JetStream cluster to take
# replicated streams), the check that every server a script started is alive, and the warm-up and
# measured rounds. Expects $ME, $OUT, $RESULTS, $COMMANDS, $QUICK, the workload and size arrays WL
# and SZ, the PID map (name -> pid) and a load_cmd KIND WORKLOAD SIZE MSGS function that sets
# LOAD_CMD; logs are named $LOGDIR/KIND-NODE.log ($LOGDIR defaults to $OUT).

# --quick: a short sanity run (2 rounds, fewer messages); explicit options still win. The JS_*
# and KV_OPS budgets (the same as compare.sh's) are for the JetStream workloads.
apply_run_defaults() {
  if [ "$QUICK" = 1 ]; then
    ROUNDS=${ROUNDS:-2}
    MSGS=${MSGS:-100000}
    REQUESTS=${REQUESTS:-2000}
    BYTES_BUDGET=$((128 * 1024 * 1024))
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
}

# msgs for one run: --msgs, capped so one run moves at most BYTES_BUDGET payload bytes; for
# JetStream, publishes (JS_MSGS), messages of a stream pre-filled per run (JS_CONSUME_MSGS, capped
# at JS_BYTES_BUDGET of payload) or KV operations (KV_OPS).
msgs_for() {
  local w=$1 size=$2 n=$MSGS budget=$BYTES_BUDGET
  case "$w" in
    reqrep) echo "$REQUESTS"; return ;;
    kv-put|kv-get) echo "$KV_OPS"; return ;;
    js-pub|js-pub-async) echo "$JS_MSGS"; return ;;
    js-pull|js-push) n=$JS_CONSUME_MSGS; budget=$JS_BYTES_BUDGET ;;
  esac
  local cap=$(( budget / (size > 0 ? size : 1) ))
  [ "$cap" -lt 200 ] && cap=200
  [ "$n" -lt "$cap" ] && echo "$n" || echo "$cap"
}

# await_mesh KIND WHAT URLS: every node delivers to every other (over routes, and gateways where
# there are), checked twice a second apart, so that a connection a server drops right after forming
# it (a duplicate, say) shows up; exits naming WHAT when it does not.
await_mesh() {
  local kind=$1 what=$2 urls=$3 attempt
  for attempt in 1 2; do
    if ! "$JAVA" -cp "$BENCH_JAR" io.jnatsd.bench.MeshProbe "$urls" 60 >>"$OUT/mesh.txt" 2>&1; then
      echo "$ME: the $kind $what did not connect every node: $(tail -n 1 "$OUT/mesh.txt"); logs in $OUT" >&2
      exit 1
    fi
    [ "$attempt" = 2 ] || sleep 1
  done
}

# await_jetstream KIND URLS REPLICAS: every node's JetStream API answers and a stream of REPLICAS
# takes a message (the meta group and a stream group have leaders); exits when not within 60 s.
await_jetstream() {
  local kind=$1 urls=$2 replicas=$3
  if ! "$JAVA" -cp "$BENCH_JAR" io.jnatsd.bench.JetStreamProbe "$urls" 60 "$replicas" >>"$OUT/jetstream-ready.txt" 2>&1; then
    echo "$ME: the $kind cluster's JetStream is not ready: $(tail -n 1 "$OUT/jetstream-ready.txt"); logs in ${LOGDIR:-$OUT}" >&2
    exit 1
  fi
}

alive() { # fails, naming the node, when a server the script started has exited
  local key
  for key in "${!PID[@]}"; do
    kill -0 "${PID[$key]}" 2>/dev/null || { echo "$ME: ${key/./ node } (pid ${PID[$key]}) died; see ${LOGDIR:-$OUT}/${key/./-}.log" >&2; return 1; }
  done
}

run_load() {
  local kind=$1 w=$2 size=$3 n=$4 line rc=0
  load_cmd "$kind" "$w" "$size" "$n"
  [ "$ROUND" != 1 ] || echo "$kind $w $size: ${LOAD_CMD[*]}" >> "$COMMANDS"
  line=$("${LOAD_CMD[@]}" 2>>"$OUT/load-tool.err") || rc=$?
  if [ $rc -ne 0 ]; then
    echo "$ME: $kind $w $size B FAILED (exit $rc): $(tail -n 1 "$OUT/load-tool.err")" >&2
    [ -n "$line" ] || line="{\"workload\":\"$w\",\"size\":$size,\"error\":\"exit $rc\"}"
  fi
  printf '{"server":"%s","round":%d,"result":%s}\n' "$kind" "$ROUND" "$line" >> "$RESULTS"
}

# One unmeasured pass per workload (a tenth of a run, at least 1000 messages but never more than a
# measured run) so neither side is measured cold.
warm_up() {
  local w n full kind
  for w in "${WL[@]}"; do
    full=$(msgs_for "$w" 128); n=$(( full / 10 > 1000 ? full / 10 : 1000 )); [ "$n" -le "$full" ] || n=$full
    for kind in jnatsd upstream; do
      load_cmd "$kind" "$w" 128 "$n"
      "${LOAD_CMD[@]}" >/dev/null 2>>"$OUT/warmup.err" || echo "$ME: warm-up $kind $w failed: $(tail -n 1 "$OUT/warmup.err")" >&2
    done
  done
  alive
}

# Round $ROUND: each workload x size against jnatsd and upstream alternately.
measure_round() {
  local w size n
  for w in "${WL[@]}"; do
    for size in "${SZ[@]}"; do
      n=$(msgs_for "$w" "$size")
      echo "$ME: round $ROUND/$ROUNDS $w $size B x $n" >&2
      run_load jnatsd "$w" "$size" "$n"
      run_load upstream "$w" "$size" "$n"
      alive
    done
  done
}

# The warm-up, then every round, on servers started once for all rounds.
warm_up_and_measure() {
  ROUND=0
  warm_up
  for ROUND in $(seq 1 "$ROUNDS"); do measure_round; done
}
