#!/usr/bin/env bash
# Generator benchmark: a generation run of the bundled tasks x 5 samples with the bug-injection
# source, through the real services (executor with bubblewrap, generator on embedded PostgreSQL in
# a fresh temporary data directory). Prints trajectories/min and where the workers' time went:
# in the executor (running each iteration's tests), in the code source (for bug injection: checking
# mutants, also in the executor) and in orchestration (claiming, storing, polling) — target <= 10%.
#
# Usage: bench/run-generator-bench.sh [SAMPLES (5)] [GENERATOR_WORKERS (4)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
samples="${1:-5}"
workers="${2:-4}"

scripts/bootstrap.sh
./mvnw -B -ntp -q install -DskipTests ${MVN_FLAGS:-}

tmp="$(mktemp -d -t iterpref-genbench.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${BENCH_KEEP_LOGS:-}" ] && echo "logs: $tmp" || rm -rf "$tmp"; }
trap cleanup EXIT
executor_port=18081
generator_port=18082
java -jar executor-service/target/executor-service-*-exec.jar --server.port=$executor_port >"$tmp/executor.log" 2>&1 &
pids+=($!)
java -jar generator-service/target/generator-service-*-exec.jar --server.port=$generator_port \
  --spring.profiles.active=local --iterpref.generator.embedded-postgres.data-directory="$tmp/pg" \
  --iterpref.generator.workers="$workers" --iterpref.generator.executor.base-url=http://127.0.0.1:$executor_port \
  >"$tmp/generator.log" 2>&1 &
pids+=($!)
for port in $executor_port $generator_port; do
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
    sleep 0.5
  done
done
/usr/bin/python3 bench/generator_bench.py "http://127.0.0.1:$generator_port" examples/tasks/iterpref-examples.jsonl \
  "$samples" "$workers" "$(nproc)"
