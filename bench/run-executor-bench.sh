#!/usr/bin/env bash
# Executor benchmark: the same 500 HumanEval-sized programs (5 assert tests each) through the
# executor service's batch API in bubblewrap sandboxes, and as bare python3 subprocesses
# without any sandbox, at the same concurrency, in the same run. Prints executions/s of both
# sides and the ratio sandboxed/bare (target >= 0.8). See bench/README.md.
#
# Usage (from anywhere):
#   bench/run-executor-bench.sh [-Dbench.NAME=VALUE | NAME=VALUE]...
#   e.g. bench/run-executor-bench.sh -Dbench.programs=60
# Options: programs (500), concurrency (cores), batch (10), python (/usr/bin/python3),
#          warmup (50), rounds (2), wallTimeMs (5000), backend (bubblewrap).
# Environment: MVN_FLAGS (extra Maven flags, e.g. "-o" offline), JAVA_OPTS (extra JVM flags).
# Output is also saved to bench/results/executor-<UTC time>.txt (git-ignored).
# Exit status: 0 all executions passed (target met or not), 1 some execution did not pass
# (numbers void), 2 the benchmark could not run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v bwrap >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "bubblewrap missing: installing it with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  else
    echo "bubblewrap (bwrap) is required: install it, e.g. 'sudo apt-get install -y bubblewrap'" >&2
    exit 2
  fi
fi

jvm_args=()
bench_args=()
for arg in "$@"; do
  case "$arg" in
    -D*|-X*) jvm_args+=("$arg") ;;
    *) bench_args+=("$arg") ;;
  esac
done

read -r -a mvn_flags <<<"${MVN_FLAGS:-}"
read -r -a java_opts <<<"${JAVA_OPTS:-}"

echo "building bench and the modules it depends on ..." >&2
./mvnw -q "${mvn_flags[@]}" -pl bench -am install -DskipTests
classpath_file="$PWD/bench/target/runtime-classpath.txt"
./mvnw -q "${mvn_flags[@]}" -pl bench dependency:build-classpath \
  -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=runtime

java_bin="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_bin="$JAVA_HOME/bin/java"
fi

mkdir -p bench/results
results="bench/results/executor-$(date -u +%Y%m%dT%H%M%SZ).txt"
set +e
"$java_bin" "${java_opts[@]}" "${jvm_args[@]}" \
  -cp "bench/target/classes:$(cat "$classpath_file")" \
  org.iterpref.bench.ExecutorBenchmark "${bench_args[@]}" 2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e
echo "saved to $results (exit status $status)" >&2
exit "$status"
