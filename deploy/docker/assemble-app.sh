#!/bin/sh
# Usage: assemble-app.sh <app folder> <output folder>
#
# Run by the Dockerfile's build stage (and by tests/deploy on a copy of the workspace): installs the
# production dependencies of one workspace app and copies into <output folder> exactly what it runs on:
# the app's folder, the folders of its @pos/* workspace dependencies (with their node_modules links), the
# root node_modules (the pnpm store links of those dependencies) and config/mappings. The workspace layout
# is kept because Node strips types only outside node_modules: the @pos/* sources must stay real folders.
set -eu

app="${1:?usage: assemble-app.sh <app folder, e.g. services/primero-writer> <output folder>}"
out="${2:?usage: assemble-app.sh <app folder> <output folder>}"
app="${app%/}"
if [ ! -f "$app/package.json" ]; then
  echo "assemble-app: $app/package.json not found: set APP to a workspace package folder such as services/primero-writer" >&2
  exit 1
fi

# The app and its workspace dependencies, following "dependencies" only (never devDependencies).
selector="{./$app}..."
pnpm install --frozen-lockfile --prod --prefer-offline --reporter=append-only --filter-prod "$selector"

mkdir -p "$out/config"
cp -a node_modules "$out/node_modules"
cp -a config/mappings "$out/config/mappings"
root="$(pwd -P)"
for dir in $(pnpm ls --filter-prod "$selector" --depth -1 --parseable); do
  rel="${dir#"$root"/}"
  mkdir -p "$out/$(dirname "$rel")"
  cp -a "$rel" "$out/$rel"
  rm -rf "$out/$rel/test" "$out/$rel/.tsbuild"
done
echo "assemble-app: $app and $(pnpm ls --filter-prod "$selector" --depth -1 --parseable | wc -l | tr -d ' ') workspace packages in $out"
