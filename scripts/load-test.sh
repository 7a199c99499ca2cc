#!/usr/bin/env bash
# The load suite (reliability/load): autocannon 9 drives the gateway with a mix of endpoints at rising
# rates and reports throughput and p50/p95/p99 per endpoint, the saturation step, the rate at which a
# key's 429s start, and checks that no submission is lost; optionally a soak at 70% of saturation.
#
# One command: builds the jars if missing (./mvnw package, no install), starts the whole platform on
# loopback on ports of its own with a fresh data directory (ITERPREF_HOME=$(mktemp -d) ...
# ITERPREF_SKIP_BUILD=1 scripts/run-main.sh --serve: PostgreSQL, executor, generator, trainer, gateway,
# no job), makes two keys with the
# bootstrap admin key (POST /admin/keys: one with a large per-key rate for capacity, one read-only
# key with a small rate for the 429 phase), runs reliability/load/load.mjs, writes the raw results
# JSON and a summary under bench/load/results/, and stops everything (also on Ctrl-C or failure).
# Exit status: 0 when no 5xx below saturation, no lost submission (and, with a soak, flat trends).
#
# Environment:
#   LOAD_QUICK=1            CI's fast part: 2 short steps (~30 s of load), no soak
#   LOAD_RATES="4 8 16 32 64 96 128 192 256"   total req/s per step (the mix splits it); stops at the first saturated step
#   LOAD_STEP_SECONDS=30    length of each step
#   LOAD_SOAK_MINUTES=0     >0: a soak at 70% of the saturation rate, sampled every LOAD_SAMPLE_SECONDS (30)
#                           (the issue's soak: LOAD_SOAK_MINUTES=30 scripts/load-test.sh)
#   LOAD_P99_BOUND_MS=5000  a step whose worst endpoint p99 is above this is saturated
#   LOAD_LIMITED_RPM=60 LOAD_LIMITED_BURST=10   the rate-limited key's requestsPerMinute and burst
#   LOAD_BASE_PORT=18180    gateway, executor, generator, trainer, postgres on BASE..BASE+4
#   LOAD_RESULTS=bench/load/results   where results go; LOAD_KEEP_HOME=1 keeps the data directory
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

base_port="${LOAD_BASE_PORT:-18180}"
gateway_port=$base_port executor_port=$((base_port + 1)) generator_port=$((base_port + 2))
trainer_port=$((base_port + 3)) postgres_port=$((base_port + 4))
data="$(mktemp -d -t iterpref-load.XXXXXX)"
logs="$data/logs"
mkdir -p "$logs"
results="${LOAD_RESULTS:-bench/load/results}"
echo "load: nproc $(nproc); $(uptime)"

# node and autocannon (the lock file pins autocannon 9.0.0)
command -v node >/dev/null && command -v npm >/dev/null || { echo "load: node and npm are needed (scripts/bootstrap.sh)"; exit 1; }
[ -d reliability/load/node_modules/autocannon ] || npm ci --prefix reliability/load --no-audit --no-fund

jar() { ls "$1"/target/"$1"-*-exec.jar 2>/dev/null | head -1; }
if [ -z "$(jar executor-service)" ] || [ -z "$(jar generator-service)" ] || [ -z "$(jar trainer-service)" ] \
   || [ -z "$(jar gateway)" ] || [ ! -f local-postgres/target/local-postgres.jar ]; then
  echo "load: building the jars (./mvnw package, tests skipped)"
  ./mvnw -B -ntp -q package -DskipTests
fi

platform=""
cleanup() {
  if [ -n "$platform" ]; then # run-main.sh's own trap stops the services, then PostgreSQL
    kill "$platform" 2>/dev/null || true; wait "$platform" 2>/dev/null || true
  fi
  # run-main.sh writes the services' logs to a directory of its own (named in its output)
  local service_logs
  service_logs="$(sed -n 's/.*starting (pid [0-9]*, log \(.*\)\/[^/]*)$/\1/p' "$logs/run-main.log" 2>/dev/null | head -1)"
  if [ "${LOAD_KEEP_HOME:-}" = 1 ]; then echo "load: data and logs kept in $data ${service_logs}"
  else rm -rf "$data"; case "$service_logs" in /tmp/iterpref-logs.*) rm -rf "$service_logs" ;; esac; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ready() { curl -fsS "http://127.0.0.1:$1/actuator/health/readiness"; }
port_pid() { ss -Hltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
bootstrap_key_file="$data/gateway-bootstrap-key"

# the platform as the main job starts it, without the job (--serve), on its own ports and data
ITERPREF_HOME="$data" GATEWAY_PORT=$gateway_port EXECUTOR_PORT=$executor_port GENERATOR_PORT=$generator_port \
  TRAINER_PORT=$trainer_port POSTGRES_PORT=$postgres_port ITERPREF_SKIP_BUILD=1 \
  scripts/run-main.sh --serve >"$logs/run-main.log" 2>&1 &
platform=$!
for _ in $(seq 1 1200); do
  grep -q "^serving (no job)" "$logs/run-main.log" && break
  kill -0 "$platform" 2>/dev/null || { echo "load: the platform did not start:"; tail -60 "$logs/run-main.log"; exit 1; }
  sleep 0.5
done
for port in $executor_port $generator_port $trainer_port $gateway_port; do
  ready "$port" >/dev/null || { echo "load: the service on :$port is not ready"; tail -60 "$logs/run-main.log"; exit 1; }
done
api="http://127.0.0.1:$gateway_port"
echo "load: platform up behind $api (data $data); $(uptime)"

admin=(-H "Authorization: Bearer $(cat "$bootstrap_key_file")" -H 'Content-Type: application/json')
new_key() { curl -fsS -X POST "$api/admin/keys" "${admin[@]}" -d "$1" \
  | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'; }
LOAD_KEY="$(new_key '{"name":"load-capacity","scopes":["read","submit","train"],"requestsPerMinute":1000000,"burst":100000}')"
LOAD_LIMITED_KEY="$(new_key "{\"name\":\"load-limited\",\"scopes\":[\"read\"],\"requestsPerMinute\":${LOAD_LIMITED_RPM:-60},\"burst\":${LOAD_LIMITED_BURST:-10}}")"
services="gateway:$gateway_port:$(port_pid $gateway_port) executor:$executor_port:$(port_pid $executor_port)"
services="$services generator:$generator_port:$(port_pid $generator_port) trainer:$trainer_port:$(port_pid $trainer_port)"

mkdir -p "$results"
set +e
LOAD_URL="$api" LOAD_KEY="$LOAD_KEY" LOAD_LIMITED_KEY="$LOAD_LIMITED_KEY" LOAD_SERVICES="$services" \
  LOAD_OUT="$(cd "$results" && pwd)" node reliability/load/load.mjs
status=$?
set -e
echo "load: $(uptime)"
if [ "$status" -ne 0 ]; then
  LOAD_KEEP_HOME=1
  echo "load: failed (exit $status); errors in the service logs:"
  for f in $(sed -n 's/.*starting (pid [0-9]*, log \(.*\))$/\1/p' "$logs/run-main.log"); do
    echo "--- $f"; grep -E '^[^ ]+ +(ERROR|WARN) |Exception' "$f" | tail -15 || true; done
fi
exit "$status"
