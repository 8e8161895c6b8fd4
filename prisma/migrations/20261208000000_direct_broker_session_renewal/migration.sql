-- Direct broker session renewal: the trader's PIN and (Angel One) TOTP seed, encrypted like the app secret, and the
-- reason the last automatic renewal was refused.
ALTER TABLE "trading_accounts" ADD COLUMN "pin_enc" TEXT;
ALTER TABLE "trading_accounts" ADD COLUMN "totp_secret_enc" TEXT;
ALTER TABLE "trading_accounts" ADD COLUMN "session_renewal_error" TEXT;
