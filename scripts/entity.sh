#!/usr/bin/env bash
# The newcomer's entry point: `bash scripts/entity.sh demo` or `bash scripts/entity.sh test`.
# Brings Node 24 + pnpm when needed, installs from the lockfile, then runs the root script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bootstrap.sh
set -euo pipefail
pnpm install --frozen-lockfile --reporter=append-only
exec pnpm run "${1:-test}" "${@:2}"
