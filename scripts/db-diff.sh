#!/usr/bin/env bash
# `npm run db:diff -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the
# committed schema (HEAD) to the working schema. Schema-to-schema needs no shadow database (Prisma 6.19's Wasm
# engine panics introspecting a shadow database that has partial indexes), so review the SQL before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: npm run db:diff -- <migration_name>}"
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
old=$(mktemp)
git show HEAD:prisma/schema.prisma > "$old"
mkdir -p "$dir"
DATABASE_URL="${DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/mirrordesk}" \
  npx prisma migrate diff --from-schema-datamodel "$old" --to-schema-datamodel prisma/schema.prisma --script > "$dir/migration.sql"
rm -f "$old"
echo "wrote $dir/migration.sql"
