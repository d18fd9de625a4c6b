#!/usr/bin/env bash
# How much a user installs for the smallest useful Entity project: @entity/core,
# @entity/resources-llm and the OpenAI SDK, installed with npm into an empty folder outside the
# repository from the packed tarballs (openai and the packages' own dependencies come from the
# registry, so this needs the network; it is a measurement, not a test).
# Usage: pnpm measure:install [folder-with-tarballs]   (default: packs the workspace first)
# Goal (issue 12): node_modules <= 30 MB.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/entity-measure-install-XXXXXX")"
trap 'rm -rf "$work"' EXIT
packages="${1:-}"
if [ -z "$packages" ]; then
  packages="$work/packages"
  node "$root/scripts/release-pack.mjs" "$packages" >/dev/null
fi
packages="$(cd "$packages" && pwd)"
tarball() { ls "$packages"/"$1"-[0-9]*.tgz | head -n 1; }
mkdir "$work/app" && cd "$work/app"
echo '{ "name": "measure-install", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --loglevel=error "$(tarball entity-core)" "$(tarball entity-resources-llm)" openai >/dev/null
size_kb="$(du -sk node_modules | cut -f1)"
echo "node_modules of @entity/core + @entity/resources-llm + openai (npm install): $(du -sh node_modules | cut -f1) (${size_kb} KB)"
echo "largest packages:"
# One du per package: a single du call counts a folder once, so a scope would hide its packages.
for dir in node_modules/[!@.]* node_modules/@*/*; do du -sk "$dir"; done | sort -rn | head -n 8 | awk '{ printf "  %6.1f MB  %s\n", $1 / 1024, $2 }'
echo "versions: $(node -p "['openai', 'zod', '@entity/core'].map((name) => name + '@' + require('./node_modules/' + name + '/package.json').version).join(', ')")"
# The floor: what the OpenAI SDK alone installs (the same version), to show what Entity adds.
mkdir "$work/raw" && cd "$work/raw"
echo '{ "name": "measure-install-raw", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --loglevel=error "openai@$(node -p "require('$work/app/node_modules/openai/package.json').version")" >/dev/null
echo "node_modules of openai alone, for comparison: $(du -sh node_modules | cut -f1) ($(du -sk node_modules | cut -f1) KB)"
