-- CreateTable
CREATE TABLE "viewer_traders" (
    "viewer_id" UUID NOT NULL,
    "trader_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "viewer_traders_pkey" PRIMARY KEY ("viewer_id","trader_id")
);

-- CreateIndex
CREATE INDEX "viewer_traders_trader_id_idx" ON "viewer_traders"("trader_id");

-- AddForeignKey
ALTER TABLE "viewer_traders" ADD CONSTRAINT "viewer_traders_viewer_id_fkey" FOREIGN KEY ("viewer_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "viewer_traders" ADD CONSTRAINT "viewer_traders_trader_id_fkey" FOREIGN KEY ("trader_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

