#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, then builds and tests every module.
# One test:   ./mvnw -pl executor-service test -Dtest=HostileProgramsTest
# Fast subset (skips the hostile-program and Docker suites): ./scripts/run-tests.sh -Dsurefire.excludedGroups=hostile,docker
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec ./mvnw -B -ntp verify "$@"
