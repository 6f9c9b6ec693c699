#!/usr/bin/env bash
# Emit → queryable latency of the client in a JVM held to 0.25 CPU — a CFS quota of 25 ms per
# 100 ms period, what a Kubernetes limit of `cpu: 250m` sets — at a trickle of 5 events/s with the
# seed configuration (buffer 100, batch 10, flush interval 1 s); and, in the same run, the same
# load unlimited as the peer. The server runs outside the limit. Needs root and the cgroup v1
# `cpu` controller at /sys/fs/cgroup/cpu, or cgroup v2 (cpu.max).
#
#   auditflow-bench/scripts/cpu-limited-load.sh            # RUNS=3 DURATION=60s QUOTA_US=25000
#
# JAR=… measures another build (e.g. the previous commit's, for a before/after in one session);
# MODES=limited skips the unlimited peer.
#
# Prints one line per run and mode: p50, p99 and max of emit → queryable (ms), from `load --json`
# (the server's received_at minus the event's timestamp, taken at emission).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=${JAR:-auditflow-cli/target/auditflow.jar}
MODES=${MODES:-limited unlimited}
RUNS=${RUNS:-3}
DURATION=${DURATION:-60s}
QUOTA_US=${QUOTA_US:-25000}
PORT=${PORT:-18181}
WORK=$(mktemp -d /tmp/auditflow-cpu-limited.XXXX)

if [ -d /sys/fs/cgroup/cpu ] && [ -w /sys/fs/cgroup/cpu ]; then
  CG=/sys/fs/cgroup/cpu/auditflow-bench
  mkdir -p "$CG"
  echo 100000 > "$CG/cpu.cfs_period_us"
  echo "$QUOTA_US" > "$CG/cpu.cfs_quota_us"
else
  CG=/sys/fs/cgroup/auditflow-bench
  mkdir -p "$CG"
  echo "$QUOTA_US 100000" > "$CG/cpu.max"
fi

java -jar "$JAR" serve --port "$PORT" --data-dir "$WORK/data" --purge-interval 0 > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rmdir "$CG" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  sleep 0.2
done
export AUDITFLOW_TOKEN=$(cat "$WORK/data/admin.token")
LOAD=(load --url "http://127.0.0.1:$PORT" --threads 1 --rate 5 --duration "$DURATION" --buffer-size 100
  --batch-size 10 --flush-interval 1s --verify --json)

for run in $(seq 1 "$RUNS"); do
  for mode in $MODES; do
    if [ "$mode" = limited ]; then
      sh -c "echo \$\$ > $CG/cgroup.procs; exec java -jar $JAR ${LOAD[*]}" > "$WORK/$mode-$run.out" 2>&1
    else
      java -jar "$JAR" "${LOAD[@]}" > "$WORK/$mode-$run.out" 2>&1
    fi
    grep '^{' "$WORK/$mode-$run.out" | tail -n 1 | python3 -c '
import json, sys
r = json.load(sys.stdin)
q = r["latency_ms"]["emit_to_queryable"]
print("run %s %s: events=%s lost_unreported=%s emit_to_queryable_ms p50=%s p99=%s max=%s"
      % (sys.argv[1], sys.argv[2], r["stored"], r["lost_unreported"], q["p50"], q["p99"], q["max"]))' "$run" "$mode"
  done
done
