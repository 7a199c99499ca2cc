#!/usr/bin/env bash
# Peak memory of one focal DPO training step of a 0.5B-class model (Qwen2.5-0.5B's shape, random
# weights, float32, CPU) at several sequence lengths, with and without gradient checkpointing; one
# JVM per measurement. Prints one line per run and saves them to
# bench/results/training-memory-<UTC time>.txt (committed). See bench/README.md.
#
# Usage: bench/run-training-memory.sh [lengths="128 256 512"] [modes="true false"] [layers=24]
# Environment: MVN_FLAGS (e.g. "-o"), JAVA_OPTS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

lengths="128 256 512"
modes="true false"
layers=24
for arg in "$@"; do
  case "$arg" in
    lengths=*) lengths="${arg#*=}" ;;
    modes=*) modes="${arg#*=}" ;;
    layers=*) layers="${arg#*=}" ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done

source bench/trainer-bench-lib.sh
build_bench


mkdir -p bench/results
results="bench/results/training-memory-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "# one focal DPO step, Qwen2.5-0.5B shape ($layers layers), float32, CPU, 2 threads; $(date -u)"
  echo "# $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; MiB are resident-set sizes (VmRSS / VmHWM)"
} | tee "$results"
for checkpointing in $modes; do
  for length in $lengths; do
    "$java_bin" -Xmx1g "${java_opts[@]}" -cp "$bench_classpath" org.iterpref.bench.TrainingMemoryRun \
      "length=$length" "layers=$layers" "checkpointing=$checkpointing" 2>/dev/null | grep '^length=' | tee -a "$results"
  done
done
echo "saved to $results" >&2
