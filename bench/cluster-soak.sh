#!/usr/bin/env bash
# A long cluster fault soak: server/src/test/.../ClusterFaultSoakTest alone, for as long as asked.
#
#   bench/cluster-soak.sh [--seconds N] [--seed S] [--rate MSGS_PER_S]
#
# Three jnatsd processes on 127.0.0.1 in one cluster (node 1 reaches node 0 through an in-process
# proxy); publishers on every node send numbered messages (--rate msgs/s in all, default 1500) to
# plain subscribers and a queue group on every node while a seeded fault injector SIGSTOPs a node
# for 1-4 s, SIGKILLs one and restarts it on the same ports, or cuts the proxied route for 1-4 s,
# one fault at a time, for N seconds (default 600). It fails on a duplicate, a reordering, a queue
# message taken twice, a loss between nodes no fault touched, a dead server, a mesh that does not
# re-form, or a final all-to-all exchange not delivered exactly once; losses during faults are
# counted, not failed (core NATS is at-most-once). A failure prints the seed (--seed replays the
# same fault choices) and the nodes' log tails. The nodes' debug logs, report.txt and the surefire
# report are kept in bench/target/cluster-soak-<time>/. The default test run (bin/test) runs the
# same test for 15 s.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

SECONDS_=600
SEED=
RATE=

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "cluster-soak.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

OUT="$root/bench/target/cluster-soak-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
args=(-q -pl server -am verify -Dtest=ClusterFaultSoakTest -Dsurefire.failIfNoSpecifiedTests=false
      "-Djnatsd.soak.seconds=$SECONDS_" "-Djnatsd.soak.dir=$OUT")
[ -n "$SEED" ] && args+=("-Djnatsd.soak.seed=$SEED")
[ -n "$RATE" ] && args+=("-Djnatsd.soak.rate=$RATE")
echo "cluster-soak.sh: $SECONDS_ s, logs in $OUT" >&2
status=0
"$root/bin/mvn" "${args[@]}" 2>&1 | tee "$OUT/mvn.log" || status=$?
cp "$root"/server/target/surefire-reports/*ClusterFaultSoakTest* "$OUT"/ 2>/dev/null || true
if [ "$status" -eq 0 ]; then echo "cluster-soak.sh: passed; report and logs in $OUT" >&2
else echo "cluster-soak.sh: FAILED; report and logs in $OUT" >&2; fi
exit "$status"
