# Shared by compare.sh, cluster.sh and recovery.sh (sourced, not run): the servers a benchmark starts, and
# only those, are stopped on exit; free ports; waiting for a server to accept; building the jars.
# Expects $root (the repository) to be set.

ME=$(basename "$0")
PIDS=()

stop_pid() {
  local pid=$1 wait_s=${2:-5}
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $((wait_s * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints N (default 2) free loopback ports, distinct, on one line.
free_ports() {
  python3 -c 'import socket, sys
s=[socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])
for x in s: x.close()' "${1:-2}"
}

# The command line of a server: KIND (jnatsd or upstream) PORT [more arguments]; in SERVER_CMD.
server_cmd() {
  local kind=$1 port=$2; shift 2
  if [ "$kind" = jnatsd ]; then SERVER_CMD=("$root/bin/jnatsd"); else SERVER_CMD=(nats-server); fi
  SERVER_CMD+=("$@" -a 127.0.0.1 -p "$port")
}

# Starts a server in the background: KIND PORT LOG [more arguments]; sets STARTED_PID.
start_server() {
  local kind=$1 port=$2 log=$3; shift 3
  server_cmd "$kind" "$port" "$@"
  "${SERVER_CMD[@]}" >"$log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

# Waits until a TCP connection to the port is accepted; fails after 60 s or if the process died.
# Shell builtins only (no subshell, `date` or `sleep` per attempt): on two cores a poll that forks
# three processes every few milliseconds takes CPU from the server it is timing, and made a
# JVM's measured start-up 100-150 ms longer than a quiet poll measures it.
wait_accepting() {
  local port=$1 pid=$2 pause
  local deadline=$(( EPOCHSECONDS + 60 ))
  exec {pause}<> <(:) # read -t on this never-written pipe is a builtin sleep
  until { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "$ME: server (pid $pid) exited before accepting on $port" >&2; exec {pause}>&-; return 1; }
    [ "$EPOCHSECONDS" -lt "$deadline" ] || { echo "$ME: nothing accepts on $port after 60 s" >&2; exec {pause}>&-; return 1; }
    read -r -t 0.002 -u "$pause" _ || true
  done
  exec 3>&- {pause}>&-
}

forget_pid() {
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# Stops a server we started: SIGTERM, then SIGKILL after $2 seconds (default 5).
stop_server() { stop_pid "$1" "${2:-5}"; forget_pid "$1"; }

# Sets JAVA, BENCH_JAR and SERVER_JAR; builds both jars when missing or older than any source.
build_jars() {
  JAVA_HOME=$("$root/bin/jdk"); export JAVA_HOME
  JAVA="$JAVA_HOME/bin/java"
  BENCH_JAR="$root/bench/target/jnatsd-bench.jar"
  SERVER_JAR="$root/server/target/jnatsd.jar"
  if [ ! -f "$BENCH_JAR" ] || [ ! -f "$SERVER_JAR" ] \
     || [ -n "$(find "$root" -path '*/src/main/*' \( -newer "$BENCH_JAR" -o -newer "$SERVER_JAR" \) -print -quit 2>/dev/null)" ]; then
    echo "$ME: building the jars..." >&2
    "$root/bin/mvn" -q -DskipTests package >&2
  fi
}
