#!/usr/bin/env bash
# The whole test suite: lint, typecheck, builds (Node bundle, UI, Workers dry-run bundle), then every test.
# It installs what the tests need from the npm registry and Debian's packages, so it runs on a clean machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp

bash scripts/system-deps.sh
echo "== lint";       pnpm exec biome check .
echo "== typecheck";  pnpm -r --workspace-concurrency=1 run typecheck && pnpm exec tsc -p tsconfig.json
echo "== build";      pnpm run build
echo "== workers bundle"; pnpm --filter @pylon/control-plane run bundle:worker
# Cached under /var/cache/pylon-test/docker-tier: several minutes the first time, nothing after.
echo "== docker tier base images"; bash test/docker/base-images.sh
echo "== tests"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile=.tmp/vitest.json || status=$?
node scripts/test-summary.mjs .tmp/vitest.json || status=1
exit "$status"
