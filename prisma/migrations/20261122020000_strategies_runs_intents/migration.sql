-- CreateEnum
CREATE TYPE "MarginSource" AS ENUM ('AVAILABLE', 'CASH');

-- CreateEnum
CREATE TYPE "RunKind" AS ENUM ('STRATEGY', 'ADJUSTMENT', 'TICKET');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('RUNNING', 'COMPLETED', 'PARTIAL', 'FAILED');

-- CreateEnum
CREATE TYPE "IntentState" AS ENUM ('planned', 'claimed', 'sending', 'accepted', 'rejected', 'unknown', 'reconciled_accepted', 'safe_to_resend', 'filled', 'partially_filled', 'cancelled', 'rejected_late', 'skipped');

-- CreateTable
CREATE TABLE "instrument_settings" (
    "underlying" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "index_exchange" TEXT NOT NULL,
    "strike_step" DECIMAL(10,2) NOT NULL,
    "lot_size" INTEGER NOT NULL,
    "next_month_lot_size" INTEGER NOT NULL,
    "freeze_qty" INTEGER NOT NULL,
    "tick_size" DECIMAL(8,2) NOT NULL,
    "weekly_expiry" BOOLEAN NOT NULL,
    "expiry_weekday" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "instrument_settings_pkey" PRIMARY KEY ("underlying")
);

-- CreateTable
CREATE TABLE "quality_grades" (
    "id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "margin_percent" DECIMAL(5,2) NOT NULL,
    "margin_source" "MarginSource" NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "quality_grades_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "underlying_margins" (
    "underlying" TEXT NOT NULL,
    "single_sell_expiry" DECIMAL(14,2) NOT NULL,
    "single_sell_other" DECIMAL(14,2) NOT NULL,
    "pair_sell_expiry" DECIMAL(14,2) NOT NULL,
    "pair_sell_other" DECIMAL(14,2) NOT NULL,
    "futures" DECIMAL(14,2) NOT NULL,
    "option_buy_premium" DECIMAL(14,2) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "underlying_margins_pkey" PRIMARY KEY ("underlying")
);

-- CreateTable
CREATE TABLE "strategies" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "account_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "account_tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "strategies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "strategy_runs" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "strategy_id" UUID,
    "kind" "RunKind" NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'RUNNING',
    "triggered_at" TIMESTAMPTZ(3) NOT NULL,
    "plan" JSONB NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "strategy_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_intents" (
    "id" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "leg_index" INTEGER NOT NULL,
    "slice_index" INTEGER NOT NULL,
    "phase" INTEGER NOT NULL,
    "symbol" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "price_type" TEXT NOT NULL,
    "price" DECIMAL(14,2),
    "quantity" INTEGER NOT NULL,
    "state" "IntentState" NOT NULL DEFAULT 'planned',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_by" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "acknowledged_at" TIMESTAMPTZ(3),
    "broker_order_id" TEXT,
    "filled_quantity" INTEGER NOT NULL DEFAULT 0,
    "average_price" DECIMAL(14,4),
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_intents_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "strategies_owner_id_name_key" ON "strategies"("owner_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "strategy_runs_idempotency_key_key" ON "strategy_runs"("idempotency_key");

-- CreateIndex
CREATE INDEX "strategy_runs_owner_id_triggered_at_idx" ON "strategy_runs"("owner_id", "triggered_at");

-- CreateIndex
CREATE INDEX "strategy_runs_strategy_id_triggered_at_idx" ON "strategy_runs"("strategy_id", "triggered_at");

-- CreateIndex
CREATE INDEX "order_intents_account_id_state_idx" ON "order_intents"("account_id", "state");

-- CreateIndex
CREATE INDEX "order_intents_state_idx" ON "order_intents"("state");

-- CreateIndex
CREATE UNIQUE INDEX "order_intents_run_id_account_id_leg_index_slice_index_key" ON "order_intents"("run_id", "account_id", "leg_index", "slice_index");

-- AddForeignKey
ALTER TABLE "strategies" ADD CONSTRAINT "strategies_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "strategy_runs" ADD CONSTRAINT "strategy_runs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "strategy_runs" ADD CONSTRAINT "strategy_runs_strategy_id_fkey" FOREIGN KEY ("strategy_id") REFERENCES "strategies"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_intents" ADD CONSTRAINT "order_intents_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "strategy_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_intents" ADD CONSTRAINT "order_intents_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "trading_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Sanity limits the application also checks: a bad row here would mis-size real orders.
ALTER TABLE "instrument_settings" ADD CONSTRAINT "instrument_settings_positive" CHECK ("lot_size" > 0 AND "next_month_lot_size" > 0 AND "freeze_qty" > 0 AND "strike_step" > 0 AND "expiry_weekday" BETWEEN 1 AND 5);
ALTER TABLE "quality_grades" ADD CONSTRAINT "quality_grades_percent" CHECK ("margin_percent" > 0 AND "margin_percent" <= 100);
ALTER TABLE "order_intents" ADD CONSTRAINT "order_intents_quantity_positive" CHECK ("quantity" > 0 AND "filled_quantity" >= 0 AND "filled_quantity" <= "quantity");
