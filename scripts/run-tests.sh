#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, then builds and tests every module.
# One test:   ./mvnw -pl executor-service test -Dtest=HostileProgramsTest
# Fast subset (skips the hostile-program and Docker suites): ./scripts/run-tests.sh -Dsurefire.excludedGroups=hostile,docker
# On CI (.ci/run sets ITERPREF_COMPOSE_SMOKE=1; also CI=true): after the Maven tests, the compose platform
# is built offline, brought up and smoke-tested through the gateway (scripts/compose-smoke.sh, as root).
# Then (CI=true or ITERPREF_LOAD_QUICK=1; ITERPREF_LOAD_QUICK=0 skips it) the load suite's fast part:
# LOAD_QUICK=1 scripts/load-test.sh, two short steps through the gateway, no 5xx and no lost submission.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
./mvnw -B -ntp verify "$@"
if [ "${ITERPREF_COMPOSE_SMOKE:-}" = 1 ] || { [ "${CI:-}" = true ] && [ "${ITERPREF_COMPOSE_SMOKE:-}" != 0 ]; }; then
  scripts/compose-smoke.sh
fi
if [ "${ITERPREF_LOAD_QUICK:-}" = 1 ] || { [ "${CI:-}" = true ] && [ "${ITERPREF_LOAD_QUICK:-}" != 0 ]; }; then
  LOAD_QUICK=1 LOAD_RESULTS="${LOAD_RESULTS:-target/load-quick}" scripts/load-test.sh
fi
