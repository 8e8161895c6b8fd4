-- CreateEnum
CREATE TYPE "CopyMode" AS ENUM ('FILLS', 'ORDERS');

-- CreateEnum
CREATE TYPE "CopyRounding" AS ENUM ('DOWN', 'NEAREST', 'UP');

-- CreateEnum
CREATE TYPE "CopyEventKind" AS ENUM ('FILL', 'PLACE', 'MODIFY', 'CANCEL', 'SYNC');

-- CreateEnum
CREATE TYPE "CopyEventStatus" AS ENUM ('PENDING', 'SENT', 'SKIPPED', 'BLOCKED', 'FAILED');

-- AlterEnum
ALTER TYPE "RunKind" ADD VALUE 'COPY';

-- AlterTable
ALTER TABLE "strategy_runs" ADD COLUMN     "copy_group_id" UUID;

-- AlterTable
ALTER TABLE "order_intents" ADD COLUMN     "trigger_price" DECIMAL(14,2);

-- CreateTable
CREATE TABLE "copy_groups" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "master_account_id" UUID NOT NULL,
    "mode" "CopyMode" NOT NULL DEFAULT 'FILLS',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "paused_reason" TEXT,
    "exchanges" TEXT[] DEFAULT ARRAY['NFO', 'BFO']::TEXT[],
    "products" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "allow_symbols" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "deny_symbols" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "window_start" TEXT,
    "window_end" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "copy_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "copy_children" (
    "group_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "multiplier" DECIMAL(10,4) NOT NULL DEFAULT 1,
    "rounding" "CopyRounding" NOT NULL DEFAULT 'DOWN',
    "min_one_lot" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "paused_reason" TEXT,
    "max_lots_per_order" INTEGER,
    "max_open_lots" INTEGER,
    "reverse" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "copy_children_pkey" PRIMARY KEY ("group_id","account_id")
);

-- CreateTable
CREATE TABLE "copy_master_orders" (
    "group_id" UUID NOT NULL,
    "master_order_id" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "price_type" TEXT NOT NULL,
    "price" DECIMAL(14,2),
    "trigger_price" DECIMAL(14,2),
    "quantity" INTEGER NOT NULL,
    "filled_qty" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL,
    "ignored_reason" TEXT,
    "seq" INTEGER NOT NULL DEFAULT 0,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "copy_master_orders_pkey" PRIMARY KEY ("group_id","master_order_id")
);

-- CreateTable
CREATE TABLE "copy_positions" (
    "group_id" UUID NOT NULL,
    "exchange" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "master_qty" INTEGER NOT NULL DEFAULT 0,
    "uncopied_qty" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "copy_positions_pkey" PRIMARY KEY ("group_id","exchange","symbol","product")
);

-- CreateTable
CREATE TABLE "copy_events" (
    "id" UUID NOT NULL,
    "group_id" UUID NOT NULL,
    "master_order_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" "CopyEventKind" NOT NULL,
    "symbol" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "price_type" TEXT,
    "price" DECIMAL(14,4),
    "trigger_price" DECIMAL(14,2),
    "master_before" INTEGER,
    "master_after" INTEGER,
    "source" TEXT NOT NULL,
    "master_at" TIMESTAMPTZ(3),
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" "CopyEventStatus" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "run_id" UUID,
    "leg_index" INTEGER,
    "children" JSONB NOT NULL DEFAULT '[]',
    "requested_by" UUID,
    "handled_at" TIMESTAMPTZ(3),

    CONSTRAINT "copy_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "copy_groups_master_account_id_idx" ON "copy_groups"("master_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "copy_groups_owner_id_name_key" ON "copy_groups"("owner_id", "name");

-- CreateIndex
CREATE INDEX "copy_children_account_id_idx" ON "copy_children"("account_id");

-- CreateIndex
CREATE INDEX "copy_events_group_id_detected_at_idx" ON "copy_events"("group_id", "detected_at");

-- CreateIndex
CREATE INDEX "copy_events_status_detected_at_idx" ON "copy_events"("status", "detected_at");

-- CreateIndex
CREATE UNIQUE INDEX "copy_events_group_id_master_order_id_seq_key" ON "copy_events"("group_id", "master_order_id", "seq");

-- CreateIndex
CREATE INDEX "strategy_runs_copy_group_id_triggered_at_idx" ON "strategy_runs"("copy_group_id", "triggered_at");

-- AddForeignKey
ALTER TABLE "strategy_runs" ADD CONSTRAINT "strategy_runs_copy_group_id_fkey" FOREIGN KEY ("copy_group_id") REFERENCES "copy_groups"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copy_groups" ADD CONSTRAINT "copy_groups_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copy_groups" ADD CONSTRAINT "copy_groups_master_account_id_fkey" FOREIGN KEY ("master_account_id") REFERENCES "trading_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copy_children" ADD CONSTRAINT "copy_children_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "copy_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copy_children" ADD CONSTRAINT "copy_children_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "trading_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copy_master_orders" ADD CONSTRAINT "copy_master_orders_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "copy_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copy_positions" ADD CONSTRAINT "copy_positions_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "copy_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "copy_events" ADD CONSTRAINT "copy_events_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "copy_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

