-- CreateEnum
CREATE TYPE "MtmSeriesKind" AS ENUM ('RUN', 'ACCOUNT', 'STRATEGY', 'OWNER');

-- CreateTable
CREATE TABLE "mtm_snapshots" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "series" TEXT NOT NULL,
    "kind" "MtmSeriesKind" NOT NULL,
    "owner_id" UUID NOT NULL,
    "account_id" UUID,
    "strategy_id" UUID,
    "run_id" UUID,
    "realised" DECIMAL(16,2),
    "unrealised" DECIMAL(16,2),
    "total" DECIMAL(16,2),
    "open_positions" INTEGER NOT NULL,
    "all_live" BOOLEAN NOT NULL,

    CONSTRAINT "mtm_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "mtm_snapshots_owner_id_kind_at_idx" ON "mtm_snapshots"("owner_id", "kind", "at");

-- CreateIndex
CREATE INDEX "mtm_snapshots_at_idx" ON "mtm_snapshots"("at");

-- CreateIndex
CREATE UNIQUE INDEX "mtm_snapshots_series_at_key" ON "mtm_snapshots"("series", "at");

