#!/bin/sh
# Usage: assemble-app.sh <app folder> <output folder>
#
# Run by the Dockerfile's build stage (and by tests/deploy on a copy of the workspace): bundles one
# workspace app with `node scripts/build.ts` into <app>/dist/, then installs its production dependencies
# and copies into <output folder> exactly what the bundle runs on: the app's folder (dist/, package.json,
# its node_modules links), the root node_modules (the pnpm store those links point into) and
# config/mappings. The sources are left out, the app's and its @pos/* packages' alike: the bundle holds
# all of that code (and its source maps the sources' text). What stays in node_modules is what the bundle
# leaves to it: pg, amqplib and the OTLP exporters (scripts/build.ts says why).
set -eu

app="${1:?usage: assemble-app.sh <app folder, e.g. services/primero-writer> <output folder>}"
out="${2:?usage: assemble-app.sh <app folder> <output folder>}"
app="${app%/}"
if [ ! -f "$app/package.json" ]; then
  echo "assemble-app: $app/package.json not found: set APP to a workspace package folder such as services/primero-writer" >&2
  exit 1
fi

# The build needs the whole workspace with its dev dependencies (esbuild).
pnpm install --frozen-lockfile --prefer-offline --reporter=append-only
node scripts/build.ts "$app"

# Then every node_modules folder goes, so that nothing the build needed (esbuild, TypeScript, vitest)
# reaches the image, and the app and its workspace dependencies are installed again, following
# "dependencies" only (never devDependencies).
find . -name node_modules -type d -prune -exec rm -rf {} +
selector="{./$app}..."
pnpm install --frozen-lockfile --prod --prefer-offline --reporter=append-only --filter-prod "$selector"

mkdir -p "$out/config" "$out/$(dirname "$app")"
cp -a node_modules "$out/node_modules"
cp -a config/mappings "$out/config/mappings"
cp -a "$app" "$out/$app"
# The links to the @pos/* packages would point at folders the image does not hold (their code is in the bundle).
rm -rf "$out/$app/src" "$out/$app/test" "$out/$app/.tsbuild" "$out/$app/node_modules/@pos"
echo "assemble-app: $app bundled, with its production dependencies, in $out"
