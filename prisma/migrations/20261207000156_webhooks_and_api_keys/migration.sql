-- CreateEnum
CREATE TYPE "WebhookMode" AS ENUM ('LONG', 'SHORT', 'BOTH');

-- CreateEnum
CREATE TYPE "SignalPosition" AS ENUM ('FLAT', 'LONG', 'SHORT');

-- CreateEnum
CREATE TYPE "SignalVerdict" AS ENUM ('ACCEPTED', 'DUPLICATE', 'IGNORED', 'REJECTED', 'DRY_RUN');

-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('READ', 'TRADE');

-- AlterEnum
ALTER TYPE "ExitReason" ADD VALUE 'SIGNAL';

-- CreateTable
CREATE TABLE "strategy_webhooks" (
    "id" UUID NOT NULL,
    "strategy_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "token_hash" TEXT,
    "token_hint" TEXT NOT NULL,
    "hmac_secret" TEXT,
    "allowed_ips" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "mode" "WebhookMode" NOT NULL DEFAULT 'LONG',
    "pyramiding" BOOLEAN NOT NULL DEFAULT false,
    "max_entries" INTEGER NOT NULL DEFAULT 1,
    "max_lag_seconds" INTEGER NOT NULL DEFAULT 30,
    "dedupe_seconds" INTEGER NOT NULL DEFAULT 10,
    "entry_start" TEXT,
    "entry_end" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "position" "SignalPosition" NOT NULL DEFAULT 'FLAT',
    "entries" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "rotated_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "strategy_webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signals" (
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "strategy_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ip" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "format" TEXT,
    "action" TEXT,
    "from_position" "SignalPosition",
    "to_position" "SignalPosition",
    "client_id" TEXT,
    "body_hash" TEXT NOT NULL,
    "verdict" "SignalVerdict" NOT NULL,
    "status" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "run_id" UUID,
    "exit_id" UUID,
    "lots_multiplier" DECIMAL(10,4),
    "ack_ms" DECIMAL(10,3),
    "processed_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "signals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "scope" "ApiKeyScope" NOT NULL,
    "key_hash" TEXT NOT NULL,
    "key_hint" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "strategy_webhooks_strategy_id_key" ON "strategy_webhooks"("strategy_id");

-- CreateIndex
CREATE UNIQUE INDEX "strategy_webhooks_token_hash_key" ON "strategy_webhooks"("token_hash");

-- CreateIndex
CREATE INDEX "strategy_webhooks_owner_id_idx" ON "strategy_webhooks"("owner_id");

-- CreateIndex
CREATE INDEX "signals_strategy_id_received_at_idx" ON "signals"("strategy_id", "received_at");

-- CreateIndex
CREATE INDEX "signals_webhook_id_body_hash_received_at_idx" ON "signals"("webhook_id", "body_hash", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_user_id_name_key" ON "api_keys"("user_id", "name");

-- AddForeignKey
ALTER TABLE "strategy_webhooks" ADD CONSTRAINT "strategy_webhooks_strategy_id_fkey" FOREIGN KEY ("strategy_id") REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "strategy_webhooks" ADD CONSTRAINT "strategy_webhooks_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signals" ADD CONSTRAINT "signals_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "strategy_webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signals" ADD CONSTRAINT "signals_strategy_id_fkey" FOREIGN KEY ("strategy_id") REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Idempotency backstop: one accepted alert per sender id and webhook (a refused alert may be sent again).
CREATE UNIQUE INDEX "signals_accepted_client_id_key" ON "signals"("webhook_id", "client_id") WHERE "verdict" = 'ACCEPTED' AND "client_id" IS NOT NULL;

-- Alerts handed to the workers and not yet handed on: the signal state is in flight while any exists.
CREATE INDEX "signals_unprocessed_idx" ON "signals"("strategy_id") WHERE "verdict" = 'ACCEPTED' AND "processed_at" IS NULL;
