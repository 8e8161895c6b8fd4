-- Direct broker accounts: the app secret and the day's session (both encrypted), the broker client id.
ALTER TABLE "trading_accounts" ADD COLUMN "api_secret_enc" TEXT,
ADD COLUMN "client_id" TEXT,
ADD COLUMN "session_enc" TEXT,
ADD COLUMN "session_expires_at" TIMESTAMPTZ(3);
