#!/usr/bin/env bash
# The main job on embedded defaults: builds the platform, starts the executor-service
# (bubblewrap sandbox, port 8081) and runs the bundled example executions against it.
#   --once    stop the service after the examples (default: keep it running until Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")/.."
once=false
[ "${1:-}" = "--once" ] && once=true

scripts/bootstrap.sh
./mvnw -B -ntp -q install -DskipTests

port="${EXECUTOR_PORT:-8081}"
log="$(mktemp -t iterpref-executor.XXXXXX.log)"
java -jar executor-service/target/executor-service-*-exec.jar --server.port="$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
echo "executor-service starting (pid $pid, log $log)"

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "executor-service exited:"; tail -50 "$log"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null || { echo "executor-service not ready"; tail -50 "$log"; exit 1; }
echo "executor-service ready on http://127.0.0.1:$port (OpenAPI: /swagger-ui.html)"

for example in examples/executions/*.json; do
  echo
  echo "=== $example"
  curl -fsS -H 'Content-Type: application/json' --data-binary "@$example" \
    "http://127.0.0.1:$port/v1/executions" | /usr/bin/python3 examples/print_result.py
done

if $once; then exit 0; fi
echo
echo "executor-service keeps running on port $port; Ctrl-C stops it."
wait $pid
