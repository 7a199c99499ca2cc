#!/usr/bin/env bash
# Pair export benchmark: 100,000 stored pairs exported as TRL JSONL through the generator's
# GET /v1/pairs/export (read by curl, a process of its own), against COPY ... TO STDOUT of the
# same rows in the same run (read by psql); both clients pipe into wc -l. Prints pairs/s of both,
# the ratio, and the service's peak heap growth during each. See bench/README.md.
# Needs curl and psql on the PATH. Output is saved to bench/results/pair-export-<UTC time>.txt.
# Usage: bench/run-pair-export-bench.sh [-Dbench.pairs=100000] [-Dbench.rounds=3]
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
for tool in curl psql; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install curl postgresql-client)" >&2; exit 2; }
done
mkdir -p bench/results
results="bench/results/pair-export-$(date -u +%Y%m%dT%H%M%SZ).txt"
set +e
java "${java_opts[@]}" "$@" -cp "bench/target/classes:$(cat "$classpath_file")" org.iterpref.bench.PairExportBenchmark \
  2>&1 | tee "$results"
status=${PIPESTATUS[0]}
set -e
echo "saved to $results (exit status $status)" >&2
exit "$status"
