import type { InstrumentSettings } from "@/lib/trading/instruments";

/** GET /api/settings/trading (Decimals as strings). */
export interface GradeJson {
  id: string;
  label: string;
  percent: string;
  source: "available" | "cash";
}

export interface MarginsJson {
  underlying: string;
  singleSellExpiryDay: string;
  singleSellOtherDays: string;
  pairSellExpiryDay: string;
  pairSellOtherDays: string;
  futures: string;
  optionBuyPremiumPerLot: string;
}

export interface TradingSettingsJson {
  instruments: InstrumentSettings[];
  grades: GradeJson[];
  margins: MarginsJson[];
}

export const TRADING_SETTINGS_KEY = ["settings", "trading"] as const;
