-- CreateEnum
CREATE TYPE "AccountKind" AS ENUM ('OPENALGO');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('UNKNOWN', 'CONNECTED', 'DEGRADED', 'FAILED');

-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('INFO', 'WARNING', 'CRITICAL');

-- CreateTable
CREATE TABLE "trading_accounts" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AccountKind" NOT NULL DEFAULT 'OPENALGO',
    "host_url" TEXT NOT NULL,
    "ws_url" TEXT NOT NULL,
    "api_key_enc" TEXT NOT NULL,
    "api_key_last4" TEXT NOT NULL,
    "is_primary" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "lot_multiplier" DECIMAL(8,2) NOT NULL DEFAULT 1,
    "max_lots_per_leg" INTEGER,
    "order_rate_per_sec" INTEGER NOT NULL DEFAULT 10,
    "other_rate_per_sec" INTEGER NOT NULL DEFAULT 10,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'UNKNOWN',
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "last_ok_at" TIMESTAMPTZ(3),
    "last_checked_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "broker_name" TEXT,
    "broker_mode" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trading_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "account_id" UUID,
    "kind" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "message" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "trading_accounts_active_idx" ON "trading_accounts"("active");

-- CreateIndex
CREATE UNIQUE INDEX "trading_accounts_owner_id_name_key" ON "trading_accounts"("owner_id", "name");

-- CreateIndex
CREATE INDEX "alerts_owner_id_resolved_at_idx" ON "alerts"("owner_id", "resolved_at");

-- AddForeignKey
ALTER TABLE "trading_accounts" ADD CONSTRAINT "trading_accounts_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "trading_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one primary (market-data source) account per owner.
CREATE UNIQUE INDEX "trading_accounts_one_primary_per_owner" ON "trading_accounts"("owner_id") WHERE "is_primary";
ALTER TABLE "trading_accounts" ADD CONSTRAINT "trading_accounts_lot_multiplier_positive" CHECK ("lot_multiplier" > 0);
ALTER TABLE "trading_accounts" ADD CONSTRAINT "trading_accounts_rates_positive" CHECK ("order_rate_per_sec" > 0 AND "other_rate_per_sec" > 0);
ALTER TABLE "trading_accounts" ADD CONSTRAINT "trading_accounts_max_lots_positive" CHECK ("max_lots_per_leg" IS NULL OR "max_lots_per_leg" > 0);
