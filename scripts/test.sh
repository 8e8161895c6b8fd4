#!/usr/bin/env bash
# `npm test`: installs what it needs, makes sure PostgreSQL, Redis and Chromium are there, recreates the test
# database, then runs type-check, lint, unit + integration tests (Vitest, real Postgres/Redis/simulator), builds
# the app and runs the Playwright suite in Chromium. Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
say() { printf '\033[1;36m[test]\033[0m %s\n' "$*"; }
t0=$(date +%s)

say "installing dependencies"
npm install --no-audit --no-fund --loglevel=error
bash scripts/ensure-services.sh --chromium

# The test environment is fixed here (never the developer's .env): a separate database and Redis index.
export NODE_ENV=test
export DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/mirrordesk_test}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/1}"
export TEST_DATABASE_URL="$DATABASE_URL" TEST_REDIS_URL="$REDIS_URL"
export AUTH_SECRET="test-secret-test-secret-test-secret-0123"
export AUTH_TRUST_HOST=true LOG_LEVEL=warn SIM_ADMIN_TOKEN=test-sim-admin-token
# The e2e simulator listens on its own ports so a running demo (5055/8765) does not collide; TEST_SIM_*_PORT and
# TEST_WEB_PORT move the browser suite so two checkouts can test side by side.
export SIM_HTTP_PORT="${TEST_SIM_HTTP_PORT:-5155}" SIM_WS_PORT="${TEST_SIM_WS_PORT:-8865}" SIM_ALWAYS_OPEN=true SIM_DEMO_INSTANCES=5
# The browser suite's web origin: state-changing requests must come from it (same-origin check).
export APP_URL="http://127.0.0.1:${TEST_WEB_PORT:-3100}"
export MARKET_ALWAYS_OPEN=true # the planner's MIS cut-off follows the always-open simulator; tests set clocks explicitly
export CREDENTIAL_KEYS="v1:dGVzdC1vbmx5LWNyZWRlbnRpYWwta2V5LTMyYnl0ZXM=" # public test-only key

say "preparing the test database"
node scripts/ensure-db.mjs --recreate
npx prisma generate >/dev/null
npm run -s db:migrate >/dev/null
node scripts/flush-test-redis.mjs

mkdir -p test-results
say "type-check and lint"
npm run -s typecheck
npm run -s lint
npm run -s format:check

status=0
say "unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=test-results/unit.json || status=1
say "integration tests"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=test-results/integration.json || status=1

say "building the app for the browser suite"
npx next build >test-results/build.log 2>&1 || { tail -n 60 test-results/build.log; exit 1; }
node scripts/ensure-db.mjs --recreate
npm run -s db:migrate >/dev/null
node scripts/flush-test-redis.mjs
say "browser tests (Chromium)"
npx playwright test || status=1

node scripts/test-summary.mjs test-results/unit.json test-results/integration.json test-results/e2e.json
say "finished in $(( $(date +%s) - t0 ))s"
exit $status
