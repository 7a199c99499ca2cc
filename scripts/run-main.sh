#!/usr/bin/env bash
# The main job on embedded defaults: the whole IterPref loop, through the gateway with an API key.
#
# Builds the platform; starts one local PostgreSQL server (persistent data in $ITERPREF_HOME/postgres,
# a database and a role per service), the executor-service (bubblewrap), the generator-service, the
# trainer-service (the bundled tiny-qwen2 test model) and the gateway in front of them (port 8080;
# its bootstrap admin key is kept in $ITERPREF_HOME/gateway-bootstrap-key). Then, with a key made
# for the job (scopes read, submit, train; revoked at the end), all through the gateway:
#   example executions → import the bundled tasks → a bug-injection run (synthetic trajectories,
#   labelled so) → pairs with error regions → a short focal DPO fine-tuning job on tiny-qwen2 (its
#   OpenAI fine-tuning API) → evaluations of the base model and of the fine-tuned one → a report,
#   printed and written as $ITERPREF_HOME/report.html.
# A second run reuses the data (tasks, runs, pairs, jobs and models are kept).
#   --once    stop everything after the job (default: keep serving until Ctrl-C)
#   --serve   start everything and serve, without the job (load and reliability suites start it so)
# Environment: ITERPREF_HOME (default ~/.iterpref); GATEWAY_PORT, EXECUTOR_PORT, GENERATOR_PORT,
# TRAINER_PORT, POSTGRES_PORT (8080, 8081, 8082, 8083, 5433); ITERPREF_SKIP_BUILD=1 uses the jars already
# built (no ./mvnw install).
set -euo pipefail
cd "$(dirname "$0")/.."
once=false
serve=false
case "${1:-}" in
  --once) once=true ;;
  --serve) serve=true ;;
  "") ;;
  *) echo "usage: scripts/run-main.sh [--once | --serve]" >&2; exit 2 ;;
esac

data="${ITERPREF_HOME:-$HOME/.iterpref}"
mkdir -p "$data"
gateway_port="${GATEWAY_PORT:-8080}"
executor_port="${EXECUTOR_PORT:-8081}"
generator_port="${GENERATOR_PORT:-8082}"
trainer_port="${TRAINER_PORT:-8083}"
postgres_port="${POSTGRES_PORT:-5433}"
logs="$(mktemp -d -t iterpref-logs.XXXXXX)"
started_at=$(date +%s)
stage() { echo; echo "=== [$(( $(date +%s) - started_at ))s] $*"; }

scripts/bootstrap.sh
if [ "${ITERPREF_SKIP_BUILD:-}" = 1 ]; then # the caller built the jars (scripts/load-test.sh: ./mvnw package)
  stage "build skipped (ITERPREF_SKIP_BUILD=1): the jars in */target are used as they are"
else
  stage "build (./mvnw install, tests skipped: scripts/run-tests.sh runs them)"
  ./mvnw -B -ntp -q install -DskipTests
fi

pids=()
cleanup() { # services first, the database last: they hand their jobs back through it
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; wait "${pids[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT

start() { # name command...
  local name=$1; shift
  "$@" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  echo "$name starting (pid $!, log $logs/$name.log)"
}
wait_for() { # name pid seconds check...: until the check passes, the process exits or time runs out
  local name=$1 pid=$2 seconds=$3; shift 3
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "$name not ready:"; tail -50 "$logs/$name.log"; exit 1
}
ready() { curl -fsS "http://127.0.0.1:$1/actuator/health/readiness"; }

stage "one local PostgreSQL (127.0.0.1:$postgres_port, data $data/postgres): databases generator, trainer, gateway"
start postgres java -jar local-postgres/target/local-postgres.jar --data-dir "$data/postgres" --port "$postgres_port"
wait_for postgres "${pids[-1]}" 120 grep -q "local PostgreSQL ready" "$logs/postgres.log"
grep "local PostgreSQL ready" "$logs/postgres.log"
database() { # service (its database and role share its name)
  echo "--iterpref.$1.embedded-postgres.enabled=false" \
       "--spring.datasource.url=jdbc:postgresql://127.0.0.1:$postgres_port/$1" "--spring.datasource.username=$1"
}

# the gateway's first admin key, made once and kept with the data (the gateway stores only its hash)
bootstrap_key_file="$data/gateway-bootstrap-key"
if [ ! -s "$bootstrap_key_file" ]; then
  (umask 077; printf 'ipk_boot_%s' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$bootstrap_key_file")
fi

stage "services: executor :$executor_port, generator :$generator_port, trainer :$trainer_port, gateway :$gateway_port"
start executor-service java -jar executor-service/target/executor-service-*-exec.jar --server.port="$executor_port"
# shellcheck disable=SC2046
start generator-service java -jar generator-service/target/generator-service-*-exec.jar --server.port="$generator_port" \
  $(database generator) --iterpref.generator.executor.base-url="http://127.0.0.1:$executor_port" \
  --iterpref.generator.model-servers.trainer.base-url="http://127.0.0.1:$trainer_port/v1"
# shellcheck disable=SC2046
start trainer-service java -jar trainer-service/target/trainer-service-*-exec.jar --server.port="$trainer_port" \
  $(database trainer) --iterpref.trainer.storage="$data/trainer" --iterpref.trainer.threads=2 \
  --iterpref.trainer.pair-feeds.default-url="http://127.0.0.1:$generator_port/v1/pairs" \
  "--iterpref.trainer.pair-feeds.allowed-urls[0]=http://127.0.0.1:$generator_port/"
# shellcheck disable=SC2046
start gateway java -jar gateway/target/gateway-*-exec.jar --server.port="$gateway_port" \
  $(database gateway) --iterpref.gateway.bootstrap-key-file="$bootstrap_key_file" \
  --iterpref.gateway.routes.generator="http://127.0.0.1:$generator_port" \
  --iterpref.gateway.routes.trainer="http://127.0.0.1:$trainer_port"
i=1
for service in executor-service:$executor_port generator-service:$generator_port trainer-service:$trainer_port \
               gateway:$gateway_port; do
  wait_for "${service%%:*}" "${pids[$i]}" 240 ready "${service##*:}"
  echo "${service%%:*} ready on http://127.0.0.1:${service##*:}"
  i=$((i + 1))
done
api="http://127.0.0.1:$gateway_port"
echo "everything behind the gateway: $api (API docs $api/swagger-ui.html, metrics $api/actuator/prometheus)"

if $serve; then
  echo "serving (no job): the bootstrap admin key is in $bootstrap_key_file; stop with SIGTERM or Ctrl-C"
  wait
  exit 0
fi

stage "a key for the job (scopes read, submit, train), made with the bootstrap admin key"
admin=(-H "Authorization: Bearer $(cat "$bootstrap_key_file")")
key_json="$(curl -fsS -X POST "$api/admin/keys" "${admin[@]}" -H 'Content-Type: application/json' \
  -d '{"name":"main-job","scopes":["read","submit","train"]}')"
key_id="$(printf '%s' "$key_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["details"]["id"])')"
ITERPREF_API_KEY="$(printf '%s' "$key_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
export ITERPREF_API_KEY ITERPREF_URL="$api/api" ITERPREF_TRAINER_URL="$api/v1"
revoke_key() { curl -fsS -o /dev/null -X DELETE "$api/admin/keys/$key_id" "${admin[@]}" && echo "key $key_id revoked"; }
trap 'revoke_key || true; cleanup' EXIT
echo "key $key_id ($(printf '%s' "$ITERPREF_API_KEY" | cut -c1-10)…); without a key the gateway answers HTTP" \
  "$(curl -s -o /dev/null -w '%{http_code}' "$api/api/tasks")"
auth=(-H "Authorization: Bearer $ITERPREF_API_KEY")
iterpref() { java -jar cli/target/iterpref.jar "$@"; }

stage "1/7 example executions (POST /api/executions: the generator relays them to the executor's sandboxes)"
for example in examples/executions/*.json; do
  echo "--- $example"
  curl -fsS "${auth[@]}" -H 'Content-Type: application/json' --data-binary "@$example" "$api/api/executions" \
    | /usr/bin/python3 examples/print_result.py
done

stage "2/7 import the bundled tasks into set 'examples' (each reference solution is checked in the executor)"
iterpref tasks import --set examples examples/tasks/iterpref-examples.jsonl

stage "3/7 trajectories: bug injection into the reference solutions (synthetic, labelled so), up to 5 iterations"
iterpref runs start --task-set examples --max-iterations 5 --seed 7 --watch | tee "$logs/run.txt"
run_id="$(head -1 "$logs/run.txt")"

stage "4/7 pairs with error regions: the generator's feed, as the trainer reads it"
curl -fsS "${auth[@]}" "$api/api/pairs/stats?run=$run_id" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
r = s["regionLines"]
print("run pairs: %d kept, %d already stored by an earlier run, filtered %s" % (s["kept"], s["alreadyStored"],
      ", ".join("%s %d" % kv for kv in s["filtered"].items()) or "none"))
print("error regions: %d to %d lines (median %.1f, p90 %.1f), on average %.0f%% of the rejected lines" % (
      r["min"], r["max"], r["p50"], r["p90"], 100 * r["meanShare"]))'

stage "5/7 focal DPO fine-tuning of tiny-qwen2 (OpenAI fine-tuning API; held-out tasks for validation)"
iterpref fine-tune --model tiny-qwen2 --set examples --include-synthetic --validation-split 0.2 --epochs 2 \
  --batch-size 8 --learning-rate 1e-3 --seed 42 --suffix examples --wait | tee "$logs/fine-tune.txt"
job_id="$(head -1 "$logs/fine-tune.txt")"
tuned="$(sed -n 's/.*; fine-tuned model \(.*\)$/\1/p' "$logs/fine-tune.txt" | tail -1)"
[ -n "$tuned" ] && [ "$tuned" != "null" ] || { echo "no fine-tuned model"; exit 1; }
echo "--- the fine-tuned model behind the gateway, as an OpenAI client sees it (a 2-layer test model: noise)"
/usr/bin/python3 examples/try_trainer.py "$api" "$tuned"

stage "6/7 evaluations (pass@1): the reference solutions (a gate at 1.0 must pass), the base model, the fine-tuned one"
iterpref eval --task-set examples --source reference --gate 'pass@1>=1.0' | tee "$logs/eval-reference.txt"
model_eval() { # model file
  iterpref eval --task-set examples --source openai --server trainer --model "$1" --temperature 0 --max-tokens 48 \
    "${@:3}" | tee "$2"
}
model_eval tiny-qwen2 "$logs/eval-before.txt"
before="$(sed -n '1s/^evaluation \([0-9a-f-]*\):.*/\1/p' "$logs/eval-before.txt")"
set +e
model_eval "$tuned" "$logs/eval-after.txt" --compare-to "$before" --gate 'pass@1>=0.4' --junit "$data/eval-after.junit.xml"
gate=$?
set -e
after="$(sed -n '1s/^evaluation \([0-9a-f-]*\):.*/\1/p' "$logs/eval-after.txt")"
echo "the fine-tuned 2-layer test model fails a 0.4 gate: exit $gate (1: the gate failed, as CI would see it)"
[ "$gate" -eq 1 ] || { echo "unexpected gate exit code $gate"; exit 1; }

stage "7/7 the report"
iterpref report --run "$run_id" --fine-tuning-job "$job_id" --before "$before" --after "$after" \
  --html "$data/report.html"
echo "report: $data/report.html"
revoke_key
trap cleanup EXIT
stage "done"

if $once; then exit 0; fi
echo
echo "The platform keeps serving behind the gateway on $api (bootstrap admin key in $bootstrap_key_file;"
echo "API docs $api/swagger-ui.html). Ctrl-C stops it."
wait
