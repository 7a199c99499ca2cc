#!/usr/bin/env bash
# Pair export benchmark: 100,000 stored pairs exported as TRL JSONL through the generator's
# GET /v1/pairs/export, against COPY ... TO STDOUT of the same rows in the same run. Prints
# pairs/s of both, the ratio, and the peak heap growth of each. See bench/README.md.
# Usage: bench/run-pair-export-bench.sh [-Dbench.pairs=100000] [-Dbench.rounds=2]
# The JVM heap is capped (JAVA_OPTS, default -Xmx512m) so that a non-streaming export would show.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
read -r -a mvn_flags <<<"${MVN_FLAGS:-}"
read -r -a java_opts <<<"${JAVA_OPTS:--Xmx512m}"
echo "building bench and the modules it depends on ..." >&2
./mvnw -q "${mvn_flags[@]}" -pl bench -am install -DskipTests
classpath_file="$PWD/bench/target/runtime-classpath.txt"
./mvnw -q "${mvn_flags[@]}" -pl bench dependency:build-classpath \
  -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=runtime
java "${java_opts[@]}" "$@" -cp "bench/target/classes:$(cat "$classpath_file")" org.iterpref.bench.PairExportBenchmark
