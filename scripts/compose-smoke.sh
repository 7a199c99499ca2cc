#!/usr/bin/env bash
# Brings the docker-compose platform up for real, offline, and drives one smoke loop through the
# gateway; always takes it down again (docker-compose down -v) on exit. CI runs it as root on a fresh
# machine after the Maven tests (scripts/run-tests.sh); no image registry is needed:
#   1. a Docker engine (if $docker_backend; then scripts/docker-engine.sh; else scripts/docker-engine.sh --engine-only; fi starts dockerd when none answers);
#   2. the base images from Debian packages (scripts/compose-base-images.sh: debootstrap + docker
#      import; kept while their recipe is unchanged);
#   3. the service jars when missing (./mvnw package), then docker-compose build and up -d, and a wait
#      until every service's healthcheck says healthy;
#   4. through the gateway's published port on 127.0.0.1 only: a scoped key made with the bootstrap
#      admin key (a compose secret), one task imported, a bug-injection generation run, its pairs, a
#      one-step focal DPO fine-tune of the trainer's tiny model on them (the trainer reads the pairs
#      from the generator over the compose network) and a reference evaluation.
# Any failure prints the failing service's `docker-compose logs --tail` and exits non-zero.
# Environment: SMOKE_PROJECT (iterpref-smoke), SMOKE_GATEWAY_PORT (a free port), SMOKE_UP_TIMEOUT_S (420),
#              SMOKE_STEP_TIMEOUT_S (300), SMOKE_LOG_TAIL (80), SMOKE_KEEP=1 (leave it up; down -v by hand),
#              SMOKE_DOCKER_BACKEND=1 (also profile docker-backend: the generator uses executor-docker, the
#              Docker backend through the host's socket; builds the offline sandbox image too).
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT="${SMOKE_PROJECT:-iterpref-smoke}"
UP_TIMEOUT_S="${SMOKE_UP_TIMEOUT_S:-420}"
STEP_TIMEOUT_S="${SMOKE_STEP_TIMEOUT_S:-300}"
LOG_TAIL="${SMOKE_LOG_TAIL:-80}"
SERVICES=(postgres executor generator trainer gateway)
docker_backend=false
if [ "${SMOKE_DOCKER_BACKEND:-0}" = 1 ]; then docker_backend=true; SERVICES+=(executor-docker); fi
started=$SECONDS
# the classic builder: BuildKit would fetch its Dockerfile frontend from a registry
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0

say() { printf '[smoke %4ds] %s\n' "$((SECONDS - started))" "$*"; }
work=$(mktemp -d /tmp/iterpref-smoke.XXXXXX)
chmod 755 "$work"
fail() { # message [service]  (a file: fail may run in a command substitution's subshell)
  [ -n "${2:-}" ] && printf '%s' "$2" >"$work/failed-service"
  echo "[smoke] FAILED: $1" >&2
  exit 1
}
compose_ready=false
compose() { docker-compose -p "$PROJECT" --env-file "$work/compose.env" -f docker-compose.yml "$@"; }

finish() {
  local rc=$?
  set +e
  if [ "$rc" -ne 0 ] && $compose_ready; then
    local logs=("${SERVICES[@]}")
    [ -s "$work/failed-service" ] && logs=("$(cat "$work/failed-service")")
    echo "[smoke] ---- docker-compose ps" >&2
    compose ps >&2
    for s in "${logs[@]}"; do
      echo "[smoke] ---- docker-compose logs --tail $LOG_TAIL $s" >&2
      compose logs --no-color --tail "$LOG_TAIL" "$s" >&2
    done
  fi
  if $compose_ready && [ "${SMOKE_KEEP:-0}" != 1 ]; then
    say "docker-compose down -v"
    compose down -v --remove-orphans >/dev/null 2>&1 || echo "[smoke] down -v failed" >&2
  fi
  rm -rf "$work"
  if [ "$rc" -eq 0 ]; then say "PASSED in $((SECONDS - started)) s"; else echo "[smoke] exit $rc after $((SECONDS - started)) s" >&2; fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" -eq 0 ] || fail "run it as root (dockerd, debootstrap, the secret's owner uid 10001)"

# ------------------------------------------------------------------ 1. engine, base images, jars
say "Docker engine"
if $docker_backend; then scripts/docker-engine.sh; else scripts/docker-engine.sh --engine-only; fi
command -v docker-compose >/dev/null 2>&1 || fail "docker-compose is missing (scripts/bootstrap.sh installs it)"
say "base images (offline, from Debian packages)"
t=$SECONDS
scripts/compose-base-images.sh
say "base images ready in $((SECONDS - t)) s"

jars=(executor-service/target/executor-service-*-exec.jar generator-service/target/generator-service-*-exec.jar
      trainer-service/target/trainer-service-*-exec.jar gateway/target/gateway-*-exec.jar)
missing=false
for j in "${jars[@]}"; do [ -f "$j" ] || missing=true; done
if $missing; then
  say "building the service jars (./mvnw package -DskipTests)"
  ./mvnw -B -ntp -q package -DskipTests
fi

# ------------------------------------------------------------------ 2. configuration: passwords, key, port
random() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
port="${SMOKE_GATEWAY_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
(umask 077; printf 'ipk_smoke_%s' "$(random)" >"$work/bootstrap-key")
chown 10001 "$work/bootstrap-key"   # the gateway's uid in its image; a compose secret is a bind mount
chmod 400 "$work/bootstrap-key"
cat >"$work/compose.env" <<EOF
POSTGRES_PASSWORD=$(random)
GENERATOR_DB_PASSWORD=$(random)
GATEWAY_DB_PASSWORD=$(random)
TRAINER_DB_PASSWORD=$(random)
GATEWAY_BOOTSTRAP_KEY_SECRET=$work/bootstrap-key
GATEWAY_PORT=$port
BASE_IMAGE=iterpref/base-jre:bookworm
EXECUTOR_BASE_IMAGE=iterpref/base-jre-sandbox:bookworm
POSTGRES_IMAGE=iterpref/base-postgres:bookworm
IMAGE_TAG=smoke
EOF
if $docker_backend; then
  printf 'COMPOSE_PROFILES=docker-backend\nEXECUTOR_URL=http://executor-docker:8081\nDOCKER_GID=%s\n' \
    "$(stat -c %g /var/run/docker.sock)" >>"$work/compose.env"
fi
compose config -q || fail "docker-compose config"
compose_ready=true

# ------------------------------------------------------------------ 3. build, up, healthy
say "docker-compose build"
t=$SECONDS
if ! compose build >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  fail "docker-compose build"
fi
for image in executor-service generator-service trainer-service gateway; do
  docker image inspect "iterpref/$image:smoke" >/dev/null 2>&1 || fail "no image iterpref/$image:smoke after the build"
done
say "images built in $((SECONDS - t)) s"

say "docker-compose up -d (depends_on waits for each dependency's healthcheck)"
t=$SECONDS
compose up -d --no-build 2>&1 | sed 's/^/  /' || fail "docker-compose up -d"
health() { docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1" 2>/dev/null || echo missing; }
while :; do
  all=true line=""
  for s in "${SERVICES[@]}"; do
    id=$(compose ps -q "$s" 2>/dev/null || true)
    h=$([ -n "$id" ] && health "$id" || echo "not created")
    line="$line $s=$h"
    [ "$h" = healthy ] || all=false
    if [ "$h" = unhealthy ] || [ "$h" = exited ] || [ "$h" = dead ]; then fail "$s is $h" "$s"; fi
  done
  $all && break
  [ $((SECONDS - t)) -lt "$UP_TIMEOUT_S" ] || fail "not every service healthy within ${UP_TIMEOUT_S} s:$line"
  say "waiting:$line"
  sleep 5
done
say "all healthy in $((SECONDS - t)) s:$line"

# ------------------------------------------------------------------ 4. the smoke loop through the gateway
base="http://127.0.0.1:$port"
# call METHOD PATH KEY [BODY|@FILE [CONTENT_TYPE]] -> body on stdout; non-2xx fails (service by path)
call() {
  local method=$1 path=$2 key=$3 body=${4:-} type=${5:-application/json} out code svc
  out="$work/response"
  local args=(-sS -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $key" --max-time 120)
  [ -n "$body" ] && args+=(-H "Content-Type: $type" --data-binary "$body")
  code=$(curl "${args[@]}" "$base$path") || code="000"
  if [ "${code:0:1}" != 2 ]; then
    case "$path" in /v1/*) svc=trainer ;; /admin/*) svc=gateway ;; *) svc=generator ;; esac
    echo "[smoke] $method $path -> HTTP $code: $(head -c 600 "$out" 2>/dev/null)" >&2
    fail "$method $path answered HTTP $code" "$svc"
  fi
  cat "$out"
}
json() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[int(k)] if isinstance(d,list) else d[k]
print(json.dumps(d) if isinstance(d,(dict,list)) else d)' "$1"; }
bootstrap=$(cat "$work/bootstrap-key")

say "1/8 gateway on $base (published on 127.0.0.1 only): a request without a key is refused"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/pairs") || true
[ "$code" = 401 ] || fail "GET /api/pairs without a key answered $code, not 401" gateway
published=$(compose port gateway 8080)
[ "${published%:*}" = 127.0.0.1 ] || fail "the gateway is published on $published, not 127.0.0.1" gateway
for s in "${SERVICES[@]}"; do
  ports=$(docker inspect --format '{{range $p, $b := .NetworkSettings.Ports}}{{if $b}}{{$p}} {{end}}{{end}}' "$(compose ps -q "$s")")
  if [ "$s" = gateway ]; then [ "$ports" = "8080/tcp " ] || fail "the gateway publishes '$ports'" gateway
  else [ -z "$ports" ] || fail "$s publishes $ports; only the gateway may" "$s"; fi
done
# the executor (untrusted code) is reachable from the generator only: try a TCP connection from inside
reach() { compose exec -T "$1" bash -c "exec 3<>/dev/tcp/$2/$3" >/dev/null 2>&1; }
executors=(executor); $docker_backend && executors+=(executor-docker)
for e in "${executors[@]}"; do
  reach generator "$e" 8081 || fail "the generator cannot reach $e" generator
  for s in gateway trainer; do
    if reach "$s" "$e" 8081; then fail "$s reaches $e (it must be on the sandbox network only)" "$s"; fi
  done
done
say "    only the gateway publishes a port; the executor answers the generator only (not the gateway, not the trainer)"
# the bubblewrap executor starts as root only to unmask /proc: its PID 1 (tini, then java) must be
# uid 10001 with no capability left, not even in the bounding set, and no_new_privs
pid1=$(compose exec -T executor cat /proc/1/status | tr -d '\r')
for want in 'Uid:[[:space:]]+10001[[:space:]]' 'CapEff:[[:space:]]+0+$' 'CapPrm:[[:space:]]+0+$' \
            'CapBnd:[[:space:]]+0+$' 'NoNewPrivs:[[:space:]]+1$'; do
  grep -Eq "^$want" <<<"$pid1" || fail "the executor's PID 1 does not match '$want': $(grep -E '^(Uid|Cap|NoNew)' <<<"$pid1" | tr '\n' ' ')" executor
done
say "    the executor runs as uid 10001 with no capabilities (effective, permitted, bounding) and no_new_privs"

say "2/8 POST /admin/keys with the bootstrap admin key: a key with scopes read, submit, train"
created=$(call POST /admin/keys "$bootstrap" '{"name":"compose-smoke","scopes":["read","submit","train"]}')
key=$(printf '%s' "$created" | json key)
key_id=$(printf '%s' "$created" | json details.id)
say "    key $key_id"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$base/admin/keys") || true
[ "$code" = 403 ] || fail "the scoped key reached /admin/keys (HTTP $code, not 403)" gateway

say "3/8 POST /api/executions: the gateway routes it to the generator, which relays it to the executor"
execution=$(call POST /api/executions "$key" @examples/executions/01-humaneval-style.json application/json)
verdict=$(printf '%s' "$execution" | json verdict)
backend_used=$(printf '%s' "$execution" | json backend)
[ -n "$verdict" ] && [ "$verdict" != null ] || fail "no verdict: $execution" generator
say "    verdict $verdict, $(printf '%s' "$execution" | json passed)/$(printf '%s' "$execution" | json total) tests passed (backend $backend_used)"

say "4/8 POST /api/tasks/import?format=jsonl&set=smoke (one task of examples/tasks/iterpref-examples.jsonl)"
head -n 1 examples/tasks/iterpref-examples.jsonl >"$work/task.jsonl"
task_id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$work/task.jsonl")
report=$(call POST '/api/tasks/import?format=jsonl&set=smoke' "$key" "@$work/task.jsonl" application/x-ndjson)
imported=$(printf '%s' "$report" | json imported)
valid=$(printf '%s' "$report" | json valid)
[ "$imported" = 1 ] && [ "$valid" = 1 ] || fail "import: $report" generator
say "    $task_id imported and validated by the executor (its reference passes its tests)"

poll() { # what path key field done-regex -> final JSON on stdout (progress on stderr)
  local what=$1 path=$2 key=$3 field=$4 done_re=$5 t0=$SECONDS doc status last=""
  while :; do
    doc=$(call GET "$path" "$key")
    status=$(printf '%s' "$doc" | json "$field")
    if [ "$status" != "$last" ]; then say "    $what: $status" >&2; last=$status; fi
    if [[ "$status" =~ ^($done_re)$ ]]; then printf '%s' "$doc"; return 0; fi
    [ $((SECONDS - t0)) -lt "$STEP_TIMEOUT_S" ] || { echo "$doc" >&2; return 1; }
    sleep 2
  done
}

say "5/8 POST /api/generation-runs (bug-injection source, 1 trajectory, up to 5 iterations)"
run=$(call POST /api/generation-runs "$key" \
  '{"taskSet":"smoke","source":{"type":"bug-injection"},"maxIterations":5,"samplesPerTask":1,"seed":42}')
run_id=$(printf '%s' "$run" | json id)
run=$(poll "run $run_id" "/api/generation-runs/$run_id" "$key" status 'COMPLETED|CANCELLED') \
  || fail "generation run $run_id did not end within ${STEP_TIMEOUT_S} s" generator
[ "$(printf '%s' "$run" | json status)" = COMPLETED ] || fail "generation run: $run" generator
say "    counts $(printf '%s' "$run" | json counts), $(printf '%s' "$run" | json iterations) iterations"

say "6/8 GET /api/pairs?run=$run_id: at least one preference pair"
pairs=$(call GET "/api/pairs?run=$run_id&limit=10" "$key")
n=$(printf '%s' "$pairs" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["pairs"]))')
[ "$n" -ge 1 ] || fail "run $run_id made no pair: $pairs" generator
say "    $n pair(s); first: rejected iteration $(printf '%s' "$pairs" | json pairs.0.rejectedIteration) -> chosen $(printf '%s' "$pairs" | json pairs.0.chosenIteration)"

say "7/8 POST /v1/fine_tuning/jobs: one step of focal DPO on tiny-qwen2, pairs fed by http://generator:8082 (in-network)"
job=$(call POST /v1/fine_tuning/jobs "$key" "$(printf '%s' '{"model":"tiny-qwen2","suffix":"smoke","seed":1,' \
  '"pairs":{"feed":"http://generator:8082/v1/pairs","set":"smoke","include_synthetic":true,"limit":1},' \
  '"method":{"type":"dpo","dpo":{"hyperparameters":{"n_epochs":1,"batch_size":1,"focal":true,' \
  '"learning_rate":1e-3,"beta":0.1}}}}')")
job_id=$(printf '%s' "$job" | json id)
job=$(poll "job $job_id" "/v1/fine_tuning/jobs/$job_id" "$key" status 'succeeded|failed|cancelled') \
  || fail "fine-tuning job $job_id did not end within ${STEP_TIMEOUT_S} s" trainer
[ "$(printf '%s' "$job" | json status)" = succeeded ] || fail "fine-tuning job: $job" trainer
steps=$(call GET "/v1/fine_tuning/jobs/$job_id/metrics" "$key" \
  | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["data"] if "loss" in r))')
[ "$steps" -ge 1 ] || fail "fine-tuning job $job_id succeeded without a training step" trainer
say "    succeeded: $(printf '%s' "$job" | json pairs.training_pairs) training pair(s), $steps step(s), model $(printf '%s' "$job" | json fine_tuned_model)"

say "8/8 POST /api/evaluations (reference source): the reference must score pass@1 = 1.0"
evaluation=$(call POST /api/evaluations "$key" '{"taskSet":"smoke","source":{"type":"reference"},"gate":{"metric":"pass@1","min":1.0}}')
eval_id=$(printf '%s' "$evaluation" | json id)
evaluation=$(poll "evaluation $eval_id" "/api/evaluations/$eval_id" "$key" status 'COMPLETED|ERRORED|CANCELLED') \
  || fail "evaluation $eval_id did not end within ${STEP_TIMEOUT_S} s" generator
[ "$(printf '%s' "$evaluation" | json status)" = COMPLETED ] || fail "evaluation: $evaluation" generator
pass1=$(printf '%s' "$evaluation" | json passAtK.pass@1)
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) == 1.0 else 1)' "$pass1" || fail "reference pass@1 is $pass1" generator
say "    COMPLETED, pass@1 = $pass1"

say "    the generator's executor ran the code in its sandboxes:"
used=executor backend=bubblewrap
$docker_backend && used=executor-docker backend=docker
executions=$(compose exec -T "$used" python3 -c '
import re, sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:9081/actuator/prometheus", timeout=10).read().decode()
rows = [l for l in text.splitlines() if l.startswith("iterpref_executions_total{")]
print(int(sum(float(l.rsplit(" ", 1)[1]) for l in rows if "backend=\"%s\"" % sys.argv[1] in l)))
sys.stderr.write("\n".join(rows) + "\n")' "$backend" 2>"$work/executions") \
  || fail "cannot read the metrics of $used" "$used"
executions=${executions//[$'\r\n']/}
sed 's/^/      /' "$work/executions"
[ "$executions" -ge 3 ] || fail "$used counted $executions $backend executions (import, run, evaluation need 3+)" "$used"
say "    $executions executions on the $backend backend of $used"

call DELETE "/admin/keys/$key_id" "$bootstrap" >/dev/null
say "smoke loop passed (key $key_id revoked)"
