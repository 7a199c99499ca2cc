# Shared by the trainer benchmarks (sourced, not run): the PyTorch baseline's interpreter, the
# bench build and its classpath, the JVM, and the random-weight bench model. Expects to be sourced
# from the repository root with `set -euo pipefail` in force.

python=/usr/bin/python3

# Installs Debian's PyTorch (and OpenBLAS: without it the reference BLAS is ~50x slower) for
# /usr/bin/python3 when missing; exits 2 when it cannot.
ensure_torch() {
  if "$python" -c 'import torch' >/dev/null 2>&1; then
    return
  fi
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "PyTorch for $python missing: installing python3-torch and libopenblas0-pthread with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
  else
    echo "PyTorch for $python is required: e.g. 'sudo apt-get install -y python3-torch libopenblas0-pthread'" >&2
    exit 2
  fi
}

# Builds bench and the modules it depends on in one reactor build (nothing installed) and sets
# bench_classpath (bench's classes, then its runtime classpath with the sibling modules as the jars
# this build packaged), java_bin, and the arrays mvn_flags (MVN_FLAGS) and java_opts (JAVA_OPTS).
build_bench() {
  read -r -a mvn_flags <<<"${MVN_FLAGS:-}"
  read -r -a java_opts <<<"${JAVA_OPTS:-}"
  echo "building bench and the modules it depends on ..." >&2
  ./mvnw -B -ntp -q "${mvn_flags[@]}" -pl bench -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime
  bench_classpath="bench/target/classes:$(cat "$PWD/bench/target/runtime-classpath.txt")"
  java_bin="java"
  if [[ -n "${JAVA_HOME:-}" ]]; then
    java_bin="$JAVA_HOME/bin/java"
  fi
}

# Writes the Qwen2-shaped bench model with random weights of seed $1 into a fresh temporary
# directory, removed when the script exits, and sets bench_model to it.
make_bench_model() {
  bench_model="$(mktemp -d -t iterpref-trainer-bench.XXXXXX)"
  trap 'rm -rf "$bench_model"' EXIT
  echo "writing the bench model (seed $1) to $bench_model ..." >&2
  "$python" bench/trainer_bench.py make-model "$bench_model" --seed "$1"
}
