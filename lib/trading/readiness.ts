/**
 * The morning readiness check of one account (docs/readiness.md): each check's verdict with the reason and the fix.
 * The account is GREEN only when every check is; any RED makes it RED; otherwise AMBER.
 */
export type ReadinessLevel = "GREEN" | "AMBER" | "RED";

export const READINESS_CHECKS = ["session", "funds", "feed", "contracts", "calendar", "clock"] as const;
export type ReadinessCheckName = (typeof READINESS_CHECKS)[number];

export interface ReadinessItem {
  check: ReadinessCheckName;
  status: ReadinessLevel;
  /** What was found, in words ("Funds ₹4,12,000.00 available; strategies need ₹3,00,000.00"). */
  detail: string;
  /** What to do about it; null when green. */
  fix: string | null;
}

/** The account's overall level from its checks. */
export function overallReadiness(items: readonly ReadinessItem[]): ReadinessLevel {
  if (items.some((i) => i.status === "RED")) return "RED";
  if (items.length === 0 || items.some((i) => i.status === "AMBER")) return "AMBER";
  return "GREEN";
}
