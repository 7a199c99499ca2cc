#!/usr/bin/env bash
# Executor benchmark: the same 500 HumanEval-sized programs (5 assert tests each) through the
# executor service's batch API in sandboxes (bubblewrap, or Docker with backend=docker), and as
# bare python3 subprocesses without any sandbox, at the same concurrency, in the same run. Prints
# executions/s of both sides and the ratio sandboxed/bare (target >= 1.0). See bench/README.md.
#
# Usage (from anywhere):
#   bench/run-executor-bench.sh [-Dbench.NAME=VALUE | NAME=VALUE]...
#   e.g. bench/run-executor-bench.sh -Dbench.programs=60
#        bench/run-executor-bench.sh -Dbench.backend=docker -Dbench.programs=60 -Dbench.warmup=10
# Options: programs (500), concurrency (cores), batch (10), python (/usr/bin/python3),
#          warmup (50), rounds (2), wallTimeMs (5000), backend (bubblewrap | docker | unsandboxed).
# backend=docker runs scripts/docker-engine.sh first (starts a Docker engine where none answers and
# builds the offline sandbox image iterpref/sandbox-python:bookworm); the bare side stays the
# host's python.
# Environment: MVN_FLAGS (extra Maven flags, e.g. "-o" offline), JAVA_OPTS (extra JVM flags).
# Output is also saved to bench/results/executor-<UTC time>.txt.
# Exit status: 0 all executions passed (target met or not), 1 some execution did not pass
# (numbers void), 2 the benchmark could not run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

backend=bubblewrap
for arg in "$@"; do
  case "$arg" in
    -Dbench.backend=*|backend=*|--backend=*) backend="${arg#*=}" ;;
  esac
done

if [[ "$backend" == docker ]]; then
  if ! scripts/docker-engine.sh >&2; then
    echo "no Docker engine with the sandbox image: see scripts/docker-engine.sh's output above" >&2
    exit 2
  fi
elif [[ "$backend" == bubblewrap ]] && ! command -v bwrap >/dev/null 2>&1; then
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

# the bench build without installing anything (build_bench: bench_classpath, java_bin, java_opts)
source bench/trainer-bench-lib.sh
build_bench

mkdir -p bench/results
results="bench/results/executor-$(date -u +%Y%m%dT%H%M%SZ).txt"
set +e
"$java_bin" "${java_opts[@]}" "${jvm_args[@]}" \
  -cp "$bench_classpath" \
  org.iterpref.bench.ExecutorBenchmark "${bench_args[@]}" 2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e
echo "saved to $results (exit status $status)" >&2
exit "$status"
