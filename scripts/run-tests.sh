#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, then builds and tests every module.
# One test:   ./mvnw -pl executor-service test -Dtest=HostileProgramsTest
# Fast subset (skips the hostile-program and Docker suites): ./scripts/run-tests.sh -Dsurefire.excludedGroups=hostile,docker
# On CI (.ci/run sets ITERPREF_COMPOSE_SMOKE=1; also CI=true): after the Maven tests, the compose platform
# is built offline, brought up and smoke-tested through the gateway (scripts/compose-smoke.sh, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
./mvnw -B -ntp verify "$@"
if [ "${ITERPREF_COMPOSE_SMOKE:-}" = 1 ] || { [ "${CI:-}" = true ] && [ "${ITERPREF_COMPOSE_SMOKE:-}" != 0 ]; }; then
  scripts/compose-smoke.sh
fi
