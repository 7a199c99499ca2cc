#!/usr/bin/env bash
# The load suite (reliability/load): autocannon 9 drives the gateway with a mix of endpoints at rising
# rates and reports throughput and p50/p95/p99 per endpoint, the saturation step, the rate at which a
# key's 429s start, and checks that no submission is lost; optionally a soak at 70% of saturation.
#
# One command: builds the jars if missing (./mvnw package, no install), starts the whole platform on
# loopback on ports of its own with a fresh data directory (PostgreSQL, executor, generator, trainer,
# gateway: the same processes as scripts/run-main.sh, without its job), makes two keys with the
# bootstrap admin key (POST /admin/keys: one with a large per-key rate for capacity, one read-only
# key with a small rate for the 429 phase), runs reliability/load/load.mjs, writes the raw results
# JSON and a summary under bench/load/results/, and stops everything (also on Ctrl-C or failure).
# Exit status: 0 when no 5xx below saturation, no lost submission (and, with a soak, flat trends).
#
# Environment:
#   LOAD_QUICK=1            CI's fast part: 2 short steps (~30 s of load), no soak
#   LOAD_RATES="4 8 16 32 64"   total req/s per step (the mix splits it); stops at the first saturated step
#   LOAD_STEP_SECONDS=30    length of each step
#   LOAD_SOAK_MINUTES=0     >0: a soak at 70% of the saturation rate, sampled every LOAD_SAMPLE_SECONDS (30)
#                           (the issue's soak: LOAD_SOAK_MINUTES=30 scripts/load-test.sh)
#   LOAD_P99_BOUND_MS=5000  a step whose worst endpoint p99 is above this is saturated
#   LOAD_LIMITED_RPM=60 LOAD_LIMITED_BURST=10   the rate-limited key's requestsPerMinute and burst
#   LOAD_BASE_PORT=18180    gateway, executor, generator, trainer, postgres on BASE..BASE+4
#   LOAD_RESULTS=bench/load/results   where results go; LOAD_KEEP_HOME=1 keeps the data directory
#   LOAD_VIA_RUN_MAIN=1     start the platform with scripts/run-main.sh --serve instead (it runs
#                           ./mvnw install, which shared ~/.m2 machines should avoid)
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

pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; wait "${pids[$i]}" 2>/dev/null || true; done
  if [ "${LOAD_KEEP_HOME:-}" = 1 ]; then echo "load: data and logs kept in $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
declare -A pid_of
start() { # name command...
  local name=$1; shift
  "$@" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  pid_of[$name]=$!
}
wait_for() { # name pid seconds check...
  local name=$1 pid=$2 seconds=$3; shift 3
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "load: $name not ready:"; tail -40 "$logs/$name.log"; exit 1
}
ready() { curl -fsS "http://127.0.0.1:$1/actuator/health/readiness"; }
port_pid() { ss -Hltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
bootstrap_key_file="$data/gateway-bootstrap-key"

if [ "${LOAD_VIA_RUN_MAIN:-}" = 1 ]; then
  serve=--serve; grep -q -- '--serve' scripts/run-main.sh || serve="" # before --serve: the job, then it serves
  start run-main env ITERPREF_HOME="$data" GATEWAY_PORT=$gateway_port EXECUTOR_PORT=$executor_port \
    GENERATOR_PORT=$generator_port TRAINER_PORT=$trainer_port POSTGRES_PORT=$postgres_port scripts/run-main.sh $serve
  wait_for run-main "${pids[0]}" 1800 ready "$gateway_port" # (without --serve the job runs alongside)
else
  (umask 077; printf 'ipk_boot_%s' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$bootstrap_key_file")
  start postgres java -jar local-postgres/target/local-postgres.jar --data-dir "$data/postgres" --port "$postgres_port"
  wait_for postgres "${pids[-1]}" 120 grep -q "local PostgreSQL ready" "$logs/postgres.log"
  database() { echo "--iterpref.$1.embedded-postgres.enabled=false" \
    "--spring.datasource.url=jdbc:postgresql://127.0.0.1:$postgres_port/$1" "--spring.datasource.username=$1"; }
  start executor java -jar "$(jar executor-service)" --server.port="$executor_port"
  # shellcheck disable=SC2046
  start generator java -jar "$(jar generator-service)" --server.port="$generator_port" $(database generator) \
    --iterpref.generator.executor.base-url="http://127.0.0.1:$executor_port" \
    --iterpref.generator.model-servers.trainer.base-url="http://127.0.0.1:$trainer_port/v1"
  # shellcheck disable=SC2046
  start trainer java -jar "$(jar trainer-service)" --server.port="$trainer_port" $(database trainer) \
    --iterpref.trainer.storage="$data/trainer" --iterpref.trainer.threads=2 \
    --iterpref.trainer.pair-feeds.default-url="http://127.0.0.1:$generator_port/v1/pairs" \
    "--iterpref.trainer.pair-feeds.allowed-urls[0]=http://127.0.0.1:$generator_port/"
  # shellcheck disable=SC2046
  start gateway java -jar "$(jar gateway)" --server.port="$gateway_port" $(database gateway) \
    --iterpref.gateway.bootstrap-key-file="$bootstrap_key_file" \
    --iterpref.gateway.routes.generator="http://127.0.0.1:$generator_port" \
    --iterpref.gateway.routes.trainer="http://127.0.0.1:$trainer_port"
fi
for service in executor:$executor_port generator:$generator_port trainer:$trainer_port gateway:$gateway_port; do
  wait_for "${service%%:*}" "${pid_of[${service%%:*}]:-${pids[0]}}" 300 ready "${service##*:}"
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
  echo "load: failed (exit $status); service logs:"; for f in "$logs"/*.log; do echo "--- $f"; grep -E "ERROR|Exception" "$f" | tail -15; done
  LOAD_KEEP_HOME=1
fi
exit "$status"
