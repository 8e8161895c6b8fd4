-- Seeded freeze quantities follow the exchange's revision effective 1 December 2025 (docs/trading-facts.md):
-- NIFTY 1,755 -> 1,800 and FINNIFTY 1,800 -> 1,200. Only rows still holding the old seeded value change; a value an
-- admin has set is kept.
UPDATE "instrument_settings" SET "freeze_qty" = 1800, "updated_at" = now() WHERE "underlying" = 'NIFTY' AND "freeze_qty" = 1755;
UPDATE "instrument_settings" SET "freeze_qty" = 1200, "updated_at" = now() WHERE "underlying" = 'FINNIFTY' AND "freeze_qty" = 1800;
