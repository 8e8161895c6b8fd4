-- CreateEnum
CREATE TYPE "RiskRule" AS ENUM ('MAX_LOSS', 'TARGET', 'TRAILING_STOP', 'LEG_STOP_LOSS', 'LEG_TAKE_PROFIT', 'SUPERTREND', 'TIME_EXIT', 'DAILY_LOSS_LIMIT');

-- CreateEnum
CREATE TYPE "RiskEventAction" AS ENUM ('EXIT', 'SKIPPED_STALE', 'BLOCK_ENTRIES', 'CHANGED', 'PAUSED', 'RESUMED');

-- CreateEnum
CREATE TYPE "LegStopMode" AS ENUM ('WATCH', 'BROKER');

-- CreateEnum
CREATE TYPE "CalendarSource" AS ENUM ('OPENALGO', 'ADMIN');

-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('FILL', 'REJECTION', 'RISK', 'ACCOUNT', 'KILL_SWITCH', 'READINESS');

-- CreateEnum
CREATE TYPE "NotificationChannel" AS ENUM ('IN_APP', 'TELEGRAM', 'EMAIL');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- CreateEnum
CREATE TYPE "ReadinessStatus" AS ENUM ('GREEN', 'AMBER', 'RED');

-- AlterEnum
ALTER TYPE "RunKind" ADD VALUE 'STOP_ORDERS';

-- AlterEnum
ALTER TYPE "ExitScope" ADD VALUE 'LEG';

-- AlterTable
ALTER TABLE "trading_accounts" ADD COLUMN     "daily_loss_limit" DECIMAL(14,2);

-- AlterTable
ALTER TABLE "strategy_runs" ADD COLUMN     "protects_run_id" UUID;

-- CreateTable
CREATE TABLE "run_risks" (
    "run_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "strategy_id" UUID,
    "rules" JSONB NOT NULL,
    "leg_stop_mode" "LegStopMode" NOT NULL DEFAULT 'WATCH',
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "peak_pnl" DECIMAL(16,2),
    "trail_stop" DECIMAL(16,2),
    "state" JSONB NOT NULL DEFAULT '{}',
    "fired_rule" "RiskRule",
    "fired_at" TIMESTAMPTZ(3),
    "exit_id" UUID,
    "fired_legs" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "snapshot" JSONB,
    "evaluated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "run_risks_pkey" PRIMARY KEY ("run_id")
);

-- CreateTable
CREATE TABLE "risk_events" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "run_id" UUID,
    "account_id" UUID,
    "leg_index" INTEGER,
    "rule" "RiskRule" NOT NULL,
    "action" "RiskEventAction" NOT NULL,
    "threshold" DECIMAL(16,2),
    "observed" DECIMAL(16,2),
    "prices" JSONB NOT NULL DEFAULT '[]',
    "exit_id" UUID,
    "actor_id" UUID,
    "message" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "risk_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account_day_blocks" (
    "account_id" UUID NOT NULL,
    "trading_date" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "observed" DECIMAL(16,2) NOT NULL,
    "exit_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_day_blocks_pkey" PRIMARY KEY ("account_id","trading_date")
);

-- CreateTable
CREATE TABLE "market_sessions" (
    "trading_date" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "source" "CalendarSource" NOT NULL,
    "closed" BOOLEAN NOT NULL,
    "opens_at" TIMESTAMPTZ(3),
    "closes_at" TIMESTAMPTZ(3),
    "description" TEXT,
    "kind" TEXT,
    "updated_by" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "market_sessions_pkey" PRIMARY KEY ("trading_date","exchange","source")
);

-- CreateTable
CREATE TABLE "notification_settings" (
    "user_id" UUID NOT NULL,
    "telegram_chat_id" TEXT,
    "telegram_bot_token_enc" TEXT,
    "telegram_token_last4" TEXT,
    "email" TEXT,
    "preferences" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_settings_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "channel" "NotificationChannel" NOT NULL,
    "batch_key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "events" INTEGER NOT NULL DEFAULT 1,
    "status" "NotificationStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "readiness_checks" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "trading_date" TEXT NOT NULL,
    "status" "ReadinessStatus" NOT NULL,
    "checks" JSONB NOT NULL,
    "trigger" TEXT NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "readiness_checks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "run_risks_owner_id_fired_at_idx" ON "run_risks"("owner_id", "fired_at");

-- CreateIndex
CREATE INDEX "run_risks_fired_at_idx" ON "run_risks"("fired_at");

-- CreateIndex
CREATE INDEX "risk_events_run_id_created_at_idx" ON "risk_events"("run_id", "created_at");

-- CreateIndex
CREATE INDEX "risk_events_owner_id_created_at_idx" ON "risk_events"("owner_id", "created_at");

-- CreateIndex
CREATE INDEX "notifications_user_id_created_at_idx" ON "notifications"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "notifications_status_created_at_idx" ON "notifications"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_user_id_channel_batch_key_key" ON "notifications"("user_id", "channel", "batch_key");

-- CreateIndex
CREATE INDEX "readiness_checks_account_id_checked_at_idx" ON "readiness_checks"("account_id", "checked_at");

-- CreateIndex
CREATE INDEX "readiness_checks_owner_id_trading_date_idx" ON "readiness_checks"("owner_id", "trading_date");

-- CreateIndex
CREATE INDEX "strategy_runs_protects_run_id_idx" ON "strategy_runs"("protects_run_id");

-- AddForeignKey
ALTER TABLE "run_risks" ADD CONSTRAINT "run_risks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "strategy_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_day_blocks" ADD CONSTRAINT "account_day_blocks_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "trading_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "readiness_checks" ADD CONSTRAINT "readiness_checks_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "trading_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

