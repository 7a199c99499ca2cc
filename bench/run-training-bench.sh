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

python=/usr/bin/python3
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "PyTorch for $python missing: installing python3-torch and libopenblas0-pthread with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
  else
    echo "PyTorch for $python is required: e.g. 'sudo apt-get install -y python3-torch libopenblas0-pthread'" >&2
    exit 2
  fi
fi

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

read -r -a mvn_flags <<<"${MVN_FLAGS:-}"
read -r -a java_opts <<<"${JAVA_OPTS:-}"

echo "building bench and the modules it depends on ..." >&2
# One reactor build (nothing installed): each module's runtime classpath goes to its
# target/runtime-classpath.txt, the sibling modules as the jars this build just packaged.
./mvnw -B -ntp -q "${mvn_flags[@]}" -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime
classpath_file="$PWD/bench/target/runtime-classpath.txt"

java_bin="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_bin="$JAVA_HOME/bin/java"
fi

model="$(mktemp -d -t iterpref-training-bench.XXXXXX)"
trap 'rm -rf "$model"' EXIT
echo "writing the bench model (seed $model_seed) to $model ..." >&2
"$python" bench/trainer_bench.py make-model "$model" --seed "$model_seed"

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
# collects before each batch of DJL steps, untimed): trainer-service hands libtorch's autograd tensors
# backed by Java direct buffers that a collection frees between a step's forward and its backward
# (wrong or NaN gradients; see bench/README.md). JAVA_OPTS and -X arguments come after and win.
"$java_bin" -Xms2g -Xmn1g "${java_opts[@]}" "${jvm_args[@]}" \
  -cp "bench/target/classes:$(cat "$classpath_file")" \
  org.iterpref.bench.TrainerTrainingBench "model=$model" "python=$python" "script=bench/training_bench.py" \
  "${bench_args[@]}" 2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e
echo "saved to $results (exit status $status)" >&2
exit "$status"
