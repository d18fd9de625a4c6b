#!/usr/bin/env bash
# How much a user installs for the smallest useful Entity project: @entity/core,
# @entity/resources-llm and the OpenAI SDK, installed with npm into an empty folder outside the
# repository from the packed tarballs (openai and the packages' own dependencies come from the
# registry, so this needs the network; it is a measurement, not a test).
# Usage: pnpm measure:install [folder-with-tarballs]   (default: packs the workspace first)
# Goal (issue 12): node_modules <= 30 MB. Not met while the SDK alone weighs ~23 MB (openai 7.5x):
# Entity's own files are under 1 MB, its dependencies zod (~5.9 MB) and yaml (~0.7 MB).
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
# Two figures: the files' sizes (what the packages weigh, the figure the goal and `pnpm bench`
# use) and du's disk usage (whole 4 KiB blocks on ext4: thousands of small files weigh ~45% more).
sizes() { echo "$(du -s --apparent-size --block-size=1K "$1" | cut -f1) $(du -sk "$1" | cut -f1)"; }
report() { read -r files disk <<<"$(sizes "$2")"; awk -v f="$files" -v d="$disk" -v l="$1" 'BEGIN { printf "%s: %.1f MB of files (%.1f MB on disk)\n", l, f / 1024, d / 1024 }'; }
report "node_modules of @entity/core + @entity/resources-llm + openai (npm install)" node_modules
echo "largest packages (files, on disk):"
# One du per package: a single du call counts a folder once, so a scope would hide its packages.
for dir in node_modules/[!@.]* node_modules/@*/*; do echo "$(sizes "$dir") $dir"; done | sort -rn | head -n 8 | awk '{ printf "  %6.1f MB  %6.1f MB  %s\n", $1 / 1024, $2 / 1024, $3 }'
echo "versions: $(node -p "['openai', 'zod', '@entity/core'].map((name) => name + '@' + require('./node_modules/' + name + '/package.json').version).join(', ')")"
# The floor: what the OpenAI SDK alone installs (the same version), to show what Entity adds.
mkdir "$work/raw" && cd "$work/raw"
echo '{ "name": "measure-install-raw", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --loglevel=error "openai@$(node -p "require('$work/app/node_modules/openai/package.json').version")" >/dev/null
report "node_modules of openai alone, for comparison" node_modules
