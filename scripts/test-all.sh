#!/usr/bin/env bash
# The workspace test command (`pnpm test`): lint, build and type-check everything, run every
# package's tests one package at a time (they share Postgres and CPU), then print one total.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export ENTITY_TEST_STARTED="$(date +%s%3N)"
# Lint first: it takes a second and a lint error should not wait behind ten minutes of tests.
pnpm run lint || exit $?
turbo run build typecheck --output-logs=errors-only || exit $?
# What users would install: every public package's tarball passes publint and attw.
pnpm run check:packages || exit $?
turbo run test --concurrency=1
status=$?
if ! node scripts/test-summary.mjs && [ "$status" -eq 0 ]; then status=1; fi
exit "$status"
