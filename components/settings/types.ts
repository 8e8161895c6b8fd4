/** TanStack Query key of GET /api/settings/trading (its shape: TradingSettingsJson of the settings service). */
export const TRADING_SETTINGS_KEY = ["settings", "trading"] as const;
