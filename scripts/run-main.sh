#!/usr/bin/env bash
# The main job on embedded defaults: builds the platform, starts the executor-service (bubblewrap,
# port 8081) and the generator-service (embedded PostgreSQL with a persistent data directory under
# ~/.iterpref, port 8082), runs the bundled example executions, imports the bundled tasks and makes
# a trajectory for each of them with the offline bug-injection source (labelled synthetic); then
# starts the trainer-service (port 8083, the bundled tiny-qwen2 test model), calls its
# OpenAI-compatible API, fine-tunes it with focal DPO on the run's pairs through the OpenAI
# fine-tuning API (and chats with the result), and runs a few trajectories with the openai source
# against the trainer, configured in the generator as the model server "trainer"; last, behind the
# gateway (port 8080, a bootstrap admin key kept in ~/.iterpref/gateway-bootstrap-key), evaluations with
# the iterpref command line and a scoped key made for the job and revoked after it.
#   --once    stop the services after the job (default: keep them running until Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")/.."
once=false
[ "${1:-}" = "--once" ] && once=true

scripts/bootstrap.sh
./mvnw -B -ntp -q install -DskipTests

executor_port="${EXECUTOR_PORT:-8081}"
generator_port="${GENERATOR_PORT:-8082}"
trainer_port="${TRAINER_PORT:-8083}"
gateway_port="${GATEWAY_PORT:-8080}"
logs="$(mktemp -d -t iterpref-logs.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start() { # name jar port args...
  local name=$1 jar=$2 port=$3; shift 3
  java -jar "$jar" --server.port="$port" "$@" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  echo "$name starting (pid $!, log $logs/$name.log)"
}

wait_ready() { # name port
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$2/actuator/health/readiness" >/dev/null 2>&1; then
      echo "$1 ready on http://127.0.0.1:$2 (OpenAPI: /swagger-ui.html)"; return 0; fi
    sleep 0.5
  done
  echo "$1 not ready:"; tail -50 "$logs/$1.log"; exit 1
}

start executor-service executor-service/target/executor-service-*-exec.jar "$executor_port"
start generator-service generator-service/target/generator-service-*-exec.jar "$generator_port" \
  --spring.profiles.active=local --iterpref.generator.executor.base-url="http://127.0.0.1:$executor_port" \
  --iterpref.generator.model-servers.trainer.base-url="http://127.0.0.1:$trainer_port/v1" \
  "--iterpref.generator.model-servers.trainer.models[0]=tiny-qwen2"
start trainer-service trainer-service/target/trainer-service-*-exec.jar "$trainer_port" --iterpref.trainer.threads=2 \
  "--iterpref.trainer.pair-feeds.allowed-urls[0]=http://127.0.0.1:$generator_port/" \
  "--iterpref.trainer.pair-feeds.default-url=http://127.0.0.1:$generator_port/v1/pairs"
# the gateway's first admin key, made once and kept with the data (only its hash is stored by the gateway)
bootstrap_key_file="$HOME/.iterpref/gateway-bootstrap-key"
if [ ! -s "$bootstrap_key_file" ]; then
  mkdir -p "$HOME/.iterpref"
  (umask 077; printf 'ipk_boot_%s' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$bootstrap_key_file")
fi
start gateway gateway/target/gateway-*-exec.jar "$gateway_port" \
  --iterpref.gateway.bootstrap-key-file="$bootstrap_key_file" \
  --iterpref.gateway.routes.executor="http://127.0.0.1:$executor_port" \
  --iterpref.gateway.routes.generator="http://127.0.0.1:$generator_port" \
  --iterpref.gateway.routes.trainer="http://127.0.0.1:$trainer_port"
wait_ready executor-service "$executor_port"
wait_ready generator-service "$generator_port"
wait_ready trainer-service "$trainer_port"
wait_ready gateway "$gateway_port"

for example in examples/executions/*.json; do
  echo
  echo "=== $example"
  curl -fsS -H 'Content-Type: application/json' --data-binary "@$example" \
    "http://127.0.0.1:$executor_port/v1/executions" | /usr/bin/python3 examples/print_result.py
done

echo
echo "=== bundled tasks: import into set 'examples' (validated in the executor)"
curl -fsS -H 'Content-Type: application/x-ndjson' --data-binary @examples/tasks/iterpref-examples.jsonl \
  "http://127.0.0.1:$generator_port/v1/tasks/import?format=jsonl&set=examples" \
  | /usr/bin/python3 examples/print_import.py

echo
echo "=== generation run: bug injection (synthetic), 1 trajectory per task, up to 5 iterations"
/usr/bin/python3 examples/follow_run.py "http://127.0.0.1:$generator_port" examples

echo
echo "=== trainer-service: OpenAI-compatible API on the bundled tiny-qwen2 (a 2-layer test model: its text is noise)"
/usr/bin/python3 examples/try_trainer.py "http://127.0.0.1:$trainer_port"

echo
echo "=== focal DPO fine-tuning of tiny-qwen2 on the bug-injection run's pairs (OpenAI fine-tuning API)"
/usr/bin/python3 examples/fine_tune.py "http://127.0.0.1:$trainer_port" "http://127.0.0.1:$generator_port" examples

echo
echo "=== generation run: openai source against the trainer's tiny-qwen2, 3 tasks, 2 iterations"
echo "    (the tiny model fails the tests; refine prompts are trimmed to fit its 512-token context)"
head -3 examples/tasks/iterpref-examples.jsonl | curl -fsS -H 'Content-Type: application/x-ndjson' --data-binary @- \
  "http://127.0.0.1:$generator_port/v1/tasks/import?format=jsonl&set=trainer-demo" >/dev/null
/usr/bin/python3 examples/follow_run.py "http://127.0.0.1:$generator_port" trainer-demo "$(printf '%s' \
  '{"maxIterations": 2, "seed": 7, "source": {"type": "openai", "server": "trainer",' \
  ' "model": "tiny-qwen2", "temperature": 0, "maxTokens": 32, "systemPrompt": "Answer with Python code."}}')"

echo
echo "=== evaluations through the gateway (:$gateway_port) with the iterpref command line, on the trainer-demo tasks"
echo "    a key with the read and submit scopes, made with the bootstrap admin key and revoked at the end:"
key_json="$(curl -fsS -X POST "http://127.0.0.1:$gateway_port/admin/keys" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $(cat "$bootstrap_key_file")" -d '{"name":"main-job","scopes":["read","submit"]}')"
key_id="$(printf '%s' "$key_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["details"]["id"])')"
ITERPREF_API_KEY="$(printf '%s' "$key_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
export ITERPREF_API_KEY
echo "    key $key_id ($(printf '%s' "$ITERPREF_API_KEY" | cut -c1-10)…)"
revoke_key() { curl -fsS -o /dev/null -X DELETE "http://127.0.0.1:$gateway_port/admin/keys/$key_id" \
  -H "Authorization: Bearer $(cat "$bootstrap_key_file")" && echo "    key $key_id revoked"; }
echo "    without a key the gateway refuses: HTTP $(curl -s -o /dev/null -w '%{http_code}' \
  "http://127.0.0.1:$gateway_port/api/evaluations")"
echo "    the reference solutions must score exactly 1.0 and pass a 1.0 gate (exit 0):"
iterpref() { java -jar cli/target/iterpref.jar "$@" --url "http://127.0.0.1:$gateway_port/api"; }
summary="$(iterpref eval --task-set trainer-demo --source reference --gate 'pass@1>=1.0')"
echo "$summary"
reference_id="$(printf '%s\n' "$summary" | sed -n '1s/^evaluation \([0-9a-f-]*\):.*/\1/p')"
echo "    the tiny model (noise) must fail a 0.4 gate (exit 1); compared task by task with the reference:"
set +e
iterpref eval --task-set trainer-demo --source openai --server trainer --model tiny-qwen2 --temperature 0 \
  --max-tokens 32 --gate 'pass@1>=0.4' --junit "$logs/tiny.junit.xml" --html "$logs/tiny.html" \
  --compare-to "$reference_id"
tiny_exit=$?
set -e
echo "    exit code $tiny_exit (1: the gate failed, as it must); JUnit and HTML reports in $logs"
[ "$tiny_exit" -eq 1 ] || { echo "unexpected exit code $tiny_exit"; exit 1; }
revoke_key
unset ITERPREF_API_KEY

if $once; then exit 0; fi
echo
echo "Services keep running (gateway :$gateway_port, executor :$executor_port, generator :$generator_port,"
echo "trainer :$trainer_port; the gateway's bootstrap admin key is in $bootstrap_key_file);"
echo "Ctrl-C stops them."
wait
