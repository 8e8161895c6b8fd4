import type { expiryHolidaySet } from "@/lib/services/calendar";
import type { syncAccountFills } from "@/lib/services/fills";
import type { ledgerInputs, ledgerPositions } from "@/lib/services/positions";
import type { createRun } from "@/lib/services/runs";
import type { tradingSettings } from "@/lib/services/settings";
import type { findStrategyRow } from "@/lib/services/strategies";

/**
 * What the exit's own files need from other subsystems. The exits entry (./index) hands these down, so the exit path
 * reads top-down: the entry calls other subsystems, the files below it only go down (the pure exit plan, queries,
 * broker access) and never climb back up to an entry.
 */
export interface ExitPorts {
  createRun: typeof createRun;
  expiryHolidaySet: typeof expiryHolidaySet;
  findStrategyRow: typeof findStrategyRow;
  ledgerInputs: typeof ledgerInputs;
  ledgerPositions: typeof ledgerPositions;
  syncAccountFills: typeof syncAccountFills;
  tradingSettings: typeof tradingSettings;
}
