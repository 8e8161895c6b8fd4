#!/usr/bin/env bash
# `npm run demo`: the whole product on embedded defaults — PostgreSQL, Redis, the exchange simulator with demo
# accounts, the worker and the web app on http://127.0.0.1:3000. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

say() { printf '\033[1;32m[demo]\033[0m %s\n' "$*"; }
t0=$(date +%s)

say "installing dependencies"
npm install --no-audit --no-fund --loglevel=error
bash scripts/ensure-services.sh

# Settings: a .env file wins; otherwise embedded demo defaults.
if [ -f .env ]; then set -a; . ./.env; set +a; say "using .env"; fi
mkdir -p .demo
# The demo's session secret is generated once and kept in .demo/ (git-ignored) so logins survive restarts.
[ -s .demo/auth-secret ] || node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))" > .demo/auth-secret
# Broker API keys are encrypted at rest. The demo makes its own key once, says so, and keeps it in .demo/; a real
# server sets CREDENTIAL_KEYS itself (npm run keys:new) and backs it up: without it, stored keys cannot be read.
if [ -z "${CREDENTIAL_KEYS:-}" ] && [ ! -s .demo/credential-keys ]; then
  node -e "console.log('v1:' + require('node:crypto').randomBytes(32).toString('base64'))" > .demo/credential-keys
  say "generated a demo credential key in .demo/credential-keys (demo only)"
fi
export CREDENTIAL_KEYS="${CREDENTIAL_KEYS:-$(cat .demo/credential-keys)}"
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/mirrordesk}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export AUTH_SECRET="${AUTH_SECRET:-$(cat .demo/auth-secret)}"
export AUTH_TRUST_HOST="${AUTH_TRUST_HOST:-true}"
export APP_URL="${APP_URL:-http://127.0.0.1:${PORT:-3000}}"
export SIM_ADMIN_TOKEN="${SIM_ADMIN_TOKEN:-demo-simulator-admin-token}"
export SIM_ALWAYS_OPEN="${SIM_ALWAYS_OPEN:-true}"
# The planner follows the simulator: an always-open demo market has no MIS cut-off either.
export MARKET_ALWAYS_OPEN="${MARKET_ALWAYS_OPEN:-$SIM_ALWAYS_OPEN}"
PORT="${PORT:-3000}"

say "preparing the database"
node scripts/ensure-db.mjs
npx prisma generate >/dev/null
npm run -s db:migrate >/dev/null
npm run -s db:seed

say "building the web app"
npx next build >/tmp/mirrordesk-build.log 2>&1 || { tail -n 40 /tmp/mirrordesk-build.log; exit 1; }

# The simulator, the worker and the web app run under a supervisor (scripts/supervisor.ts): a crashed process is
# restarted with backoff while the others keep running; Ctrl-C stops them all.
exec node_modules/.bin/tsx scripts/demo-run.ts --port "$PORT" --started "$t0"
