#!/usr/bin/env bash
# Trainer generation benchmark: 256 greedy tokens from the Qwen2-shaped bench model (hidden 256,
# intermediate 704, 4 layers, 4 heads, 2 KV heads, vocab 2048, float32, 2 threads) with the
# trainer's DJL decoder — KV cache and recomputing the whole prefix each step — and with the same
# greedy loop in PyTorch eager (Debian python3-torch + OpenBLAS, /usr/bin/python3), in the same
# run. Prints tokens/s of the three, the ratios KV cache / no cache and DJL / PyTorch (target
# >= 1.0) and how many generated ids agree. See bench/README.md.
#
# Usage (from anywhere):
#   bench/run-trainer-bench.sh [-Dbench.NAME=VALUE | NAME=VALUE]...
#   e.g. bench/run-trainer-bench.sh rounds=1 repeats=3
# Options: tokens (256), promptLen (32), threads (2), rounds (3), repeats (5), uncachedRepeats (1),
#          warmup (1), seed (1: the random weights), tieTolerance (1e-3).
# Environment: MVN_FLAGS (extra Maven flags, e.g. "-o" offline), JAVA_OPTS (extra JVM flags).
# Output is also saved to bench/results/trainer-generation-<UTC time>.txt (git-ignored).
# Exit status: 0 measured, 1 the engines' ids disagree beyond rounding (numbers void), 2 the
# benchmark could not run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

source bench/trainer-bench-lib.sh
ensure_torch

jvm_args=()
bench_args=()
seed=1
for arg in "$@"; do
  case "$arg" in
    -Dbench.seed=*|seed=*|--seed=*) seed="${arg#*=}" ;;
    -D*|-X*) jvm_args+=("$arg") ;;
    *) bench_args+=("$arg") ;;
  esac
done

build_bench
make_bench_model "$seed"

mkdir -p bench/results
results="bench/results/trainer-generation-$(date -u +%Y%m%dT%H%M%SZ).txt"
set +e
"$java_bin" "${java_opts[@]}" "${jvm_args[@]}" \
  -cp "$bench_classpath" \
  org.iterpref.bench.TrainerGenerationBench "model=$bench_model" "python=$python" "script=bench/trainer_bench.py" \
  "${bench_args[@]}" 2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e
echo "saved to $results (exit status $status)" >&2
exit "$status"
