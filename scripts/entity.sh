#!/usr/bin/env bash
# The newcomer's entry point, from a fresh clone with only Node and npm:
#   bash scripts/entity.sh demo    installs, builds and runs the quickstart sample agent
#   bash scripts/entity.sh test    installs and runs every package's build, type-check and tests
#   bash scripts/entity.sh bench   installs and runs the benchmarks
# Brings Node 24 + pnpm when the system lacks them, installs from the lockfile, then runs the
# root package.json script of the same name.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bootstrap.sh
set -euo pipefail
command="${1:-test}"
shift || true
pnpm install --frozen-lockfile --reporter=append-only
case "$command" in
  test | bench)
    # The Postgres tests need a server with pgvector; the script starts/builds it where it can
    # (Debian/Ubuntu with apt) and otherwise says what to do.
    if eval "$(bash scripts/ensure-postgres.sh)"; then
      export DATABASE_URL
    elif [ "${CI:-}" = "true" ]; then
      echo "entity.sh: PostgreSQL with pgvector is required in CI (see scripts/ensure-postgres.sh)" >&2
      exit 1
    else
      echo "entity.sh: no PostgreSQL with pgvector; its tests will say how to start one (docker compose up -d)" >&2
    fi
    ;;
esac
if [ "$command" = test ]; then
  # The browser tests of @entity/plugin-http drive Debian's Chromium; installed once, then a no-op.
  if ! bash scripts/ensure-chromium.sh; then
    if [ "${CI:-}" = "true" ]; then
      echo "entity.sh: Chromium is required in CI for the browser tests (apt-get install chromium; see scripts/ensure-chromium.sh)" >&2
      exit 1
    fi
    echo "entity.sh: no Chromium; the browser tests will be skipped and say how to install it (apt-get install chromium)" >&2
  fi
fi
# --silent: the sample prints its own messages; pnpm's "command failed" banner would bury them.
[ "$command" = demo ] && exec pnpm --silent run demo "$@"
exec pnpm run "$command" "$@"
