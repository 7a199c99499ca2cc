#!/usr/bin/env bash
# Trainer training-step benchmark: one full focal DPO optimizer step (forward of chosen and rejected
# sequences, focal DPO + NLL loss, backward, clipping at 1.0, AdamW) of the Qwen2-shaped bench model
# (hidden 256, intermediate 704, 4 layers, 4 heads, 2 KV heads, vocab 2048, float32, 2 threads) on
# 2 pairs x 256 tokens per sequence, with the trainer's DJL code (DpoOptimizerStep) and with the same
# step in PyTorch eager (Debian python3-torch + OpenBLAS, /usr/bin/python3), in the same run. Prints
# tokens/s of both, the ratio DJL / PyTorch (target >= 1.0) and whether the first step's loss and
# gradient norm agree (within 1e-4 relative, else the numbers are void). See bench/README.md.
#
# Usage (from anywhere):
#   bench/run-training-bench.sh [-Dbench.NAME=VALUE | NAME=VALUE]...
#   e.g. bench/run-training-bench.sh rounds=1 repeats=2
# Options: pairs (2), promptLen (64), completionLen (192, end token included), threads (2), rounds (8),
#          repeats (2), warmup (1), forwardRepeats (1), seed (1: the ids), modelSeed (1: the random
#          weights), lr (1e-4), tolerance (1e-4), trajectoryTolerance (1e-3).
# Environment: MVN_FLAGS (extra Maven flags, e.g. "-o" offline), JAVA_OPTS (extra JVM flags, e.g. a
# JFR recording), OMP_WAIT_POLICY (PASSIVE unless set; both engines).
# Output is also saved to bench/results/training-step-<UTC time>.txt (committed: the results of a
# run go in with the code they measured).
# Exit status: 0 measured, 1 the engines disagree (the first step's loss or gradient norm, a timed
# step's loss, or a NaN: numbers void), 2 the benchmark could not run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

source bench/trainer-bench-lib.sh
ensure_torch

jvm_args=()
bench_args=()
model_seed=1
for arg in "$@"; do
  case "$arg" in
    -Dbench.modelSeed=*|modelSeed=*|--modelSeed=*) model_seed="${arg#*=}" ;;
    -D*|-X*) jvm_args+=("$arg") ;;
    *) bench_args+=("$arg") ;;
  esac
done

build_bench
make_bench_model "$model_seed"

mkdir -p bench/results
results="bench/results/training-step-$(date -u +%Y%m%dT%H%M%SZ).txt"
set +e
# Both engines' OpenMP pools (and PyTorch's OpenBLAS pool) busy-wait between parallel regions by
# default; on a machine whose cores other work also wants, a waiting pool then burns the core the
# other side or a neighbour needs, and steps of either engine take 5-10x longer at random. Passive
# waiting (each thread sleeps at once) made both sides stable there; the JVM and the PyTorch process
# it starts both inherit it. Set OMP_WAIT_POLICY=ACTIVE to measure the default on an idle machine.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

# A young generation large enough that no collection happens during a DJL step (the benchmark also
# collects before each batch of DJL steps, untimed), so no collection's pause lands in a timed step.
# (It once also hid wrong gradients from Java-backed tensors that a collection freed before backward;
# trainer-service no longer hands autograd such tensors.) JAVA_OPTS and -X arguments come after and win.
"$java_bin" -Xms2g -Xmn1g "${java_opts[@]}" "${jvm_args[@]}" \
  -cp "$bench_classpath" \
  org.iterpref.bench.TrainerTrainingBench "model=$bench_model" "python=$python" "script=bench/training_bench.py" \
  "${bench_args[@]}" 2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e
echo "saved to $results (exit status $status)" >&2
exit "$status"
