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

read -r -a mvn_flags <<<"${MVN_FLAGS:-}"
read -r -a java_opts <<<"${JAVA_OPTS:-}"
echo "building bench and the modules it depends on ..." >&2
./mvnw -B -ntp -q "${mvn_flags[@]}" -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime
classpath="bench/target/classes:$(cat bench/target/runtime-classpath.txt)"

mkdir -p bench/results
results="bench/results/training-memory-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "# one focal DPO step, Qwen2.5-0.5B shape ($layers layers), float32, CPU, 2 threads; $(date -u)"
  echo "# $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; MiB are resident-set sizes (VmRSS / VmHWM)"
} | tee "$results"
for checkpointing in $modes; do
  for length in $lengths; do
    java -Xmx1g "${java_opts[@]}" -cp "$classpath" org.iterpref.bench.TrainingMemoryRun \
      "length=$length" "layers=$layers" "checkpointing=$checkpointing" 2>/dev/null | grep '^length=' | tee -a "$results"
  done
done
echo "saved to $results" >&2
