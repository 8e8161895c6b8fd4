-- CreateEnum
CREATE TYPE "ExitScope" AS ENUM ('RUN', 'STRATEGY', 'ACCOUNT', 'EXCESS', 'OWNER', 'ALL');

-- CreateEnum
CREATE TYPE "ExitReason" AS ENUM ('MANUAL', 'KILL_SWITCH', 'SQUARE_OFF', 'RISK');

-- CreateEnum
CREATE TYPE "ExitStatus" AS ENUM ('PENDING', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "KillSwitchScope" AS ENUM ('GLOBAL', 'OWNER');

-- AlterEnum
ALTER TYPE "RunKind" ADD VALUE 'EXIT';

-- CreateTable
CREATE TABLE "exits" (
    "id" UUID NOT NULL,
    "owner_id" UUID,
    "scope" "ExitScope" NOT NULL,
    "reason" "ExitReason" NOT NULL,
    "status" "ExitStatus" NOT NULL DEFAULT 'PENDING',
    "target_key" TEXT NOT NULL,
    "run_id" UUID,
    "strategy_id" UUID,
    "account_id" UUID,
    "leg_index" INTEGER,
    "requested_by" UUID,
    "note" TEXT,
    "run_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "passes" INTEGER NOT NULL DEFAULT 0,
    "lease_holder" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "exits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exit_accounts" (
    "exit_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "status" "ExitStatus" NOT NULL DEFAULT 'PENDING',
    "message" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "current_run_id" UUID,
    "pending_run_key" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "exit_accounts_pkey" PRIMARY KEY ("exit_id","account_id")
);

-- CreateTable
CREATE TABLE "exit_claims" (
    "account_id" UUID NOT NULL,
    "exit_id" UUID NOT NULL,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exit_claims_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "kill_switches" (
    "id" UUID NOT NULL,
    "scope" "KillSwitchScope" NOT NULL,
    "owner_id" UUID,
    "reason" TEXT,
    "engaged_at" TIMESTAMPTZ(3) NOT NULL,
    "engaged_by" UUID,
    "exit_id" UUID,
    "rearmed_at" TIMESTAMPTZ(3),
    "rearmed_by" UUID,

    CONSTRAINT "kill_switches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "square_offs" (
    "strategy_id" UUID NOT NULL,
    "trading_date" TEXT NOT NULL,
    "exit_id" UUID NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "square_offs_pkey" PRIMARY KEY ("strategy_id","trading_date")
);

-- CreateIndex
CREATE INDEX "exits_status_created_at_idx" ON "exits"("status", "created_at");

-- CreateIndex
CREATE INDEX "exits_owner_id_created_at_idx" ON "exits"("owner_id", "created_at");

-- CreateIndex
CREATE INDEX "exit_accounts_account_id_status_idx" ON "exit_accounts"("account_id", "status");

-- CreateIndex
CREATE INDEX "kill_switches_rearmed_at_idx" ON "kill_switches"("rearmed_at");

-- AddForeignKey
ALTER TABLE "exits" ADD CONSTRAINT "exits_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exit_accounts" ADD CONSTRAINT "exit_accounts_exit_id_fkey" FOREIGN KEY ("exit_id") REFERENCES "exits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exit_accounts" ADD CONSTRAINT "exit_accounts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "trading_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exit_claims" ADD CONSTRAINT "exit_claims_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "trading_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exit_claims" ADD CONSTRAINT "exit_claims_exit_id_fkey" FOREIGN KEY ("exit_id") REFERENCES "exits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kill_switches" ADD CONSTRAINT "kill_switches_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kill_switches" ADD CONSTRAINT "kill_switches_engaged_by_fkey" FOREIGN KEY ("engaged_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kill_switches" ADD CONSTRAINT "kill_switches_rearmed_by_fkey" FOREIGN KEY ("rearmed_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "square_offs" ADD CONSTRAINT "square_offs_strategy_id_fkey" FOREIGN KEY ("strategy_id") REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- One active exit per target: a second request for the same run / strategy / account / leg / kill switch joins it.
CREATE UNIQUE INDEX "exits_one_active_per_target" ON "exits"("target_key") WHERE "status" <> 'DONE';

-- One engaged kill switch per owner, and one global one.
CREATE UNIQUE INDEX "kill_switches_one_engaged_per_owner" ON "kill_switches"("owner_id") WHERE "rearmed_at" IS NULL AND "scope" = 'OWNER';
CREATE UNIQUE INDEX "kill_switches_one_engaged_global" ON "kill_switches"("scope") WHERE "rearmed_at" IS NULL AND "scope" = 'GLOBAL';
ALTER TABLE "kill_switches" ADD CONSTRAINT "kill_switches_owner_matches_scope" CHECK (("scope" = 'GLOBAL') = ("owner_id" IS NULL));

-- Fill tracking records what the broker actually filled, which can exceed the slice (an order enlarged at the broker):
-- that excess is real exposure the exit service flattens, so the cap on filled_quantity goes.
ALTER TABLE "order_intents" DROP CONSTRAINT "order_intents_quantity_positive";
ALTER TABLE "order_intents" ADD CONSTRAINT "order_intents_quantity_positive" CHECK ("quantity" > 0 AND "filled_quantity" >= 0);
