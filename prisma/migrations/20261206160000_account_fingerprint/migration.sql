-- AlterTable
ALTER TABLE "trading_accounts" ADD COLUMN     "credential_fingerprint" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "trading_accounts_credential_fingerprint_key" ON "trading_accounts"("credential_fingerprint");

