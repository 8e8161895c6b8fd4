import type { Metadata } from "next";
import { TradingSettings } from "@/components/settings/trading-settings";

export const metadata: Metadata = { title: "Trading settings" };

// The admin layout refuses non-admins; the settings API checks again.
export default function TradingSettingsPage() {
  return <TradingSettings />;
}
