/**
 * The morning readiness check of one account (docs/readiness.md): each check's verdict with the reason and the fix.
 * The account is GREEN only when every check is; any RED makes it RED; otherwise AMBER. The verdicts themselves are
 * in readiness-verdicts.ts and readiness-funds.ts; this file holds the shared types and when the day's check is due.
 */
import { z } from "zod";
import { IST_OFFSET_MS, DAY_MS, type ExchangeSession } from "./calendar";

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

/** A stored item (`readiness_checks.checks`), parsed where it is read back. */
export const readinessItemSchema = z.object({
  check: z.enum(READINESS_CHECKS),
  status: z.enum(["GREEN", "AMBER", "RED"]),
  detail: z.string(),
  fix: z.string().nullable(),
});

/** The account's overall level from its checks. */
export function overallReadiness(items: readonly ReadinessItem[]): ReadinessLevel {
  if (items.some((i) => i.status === "RED")) return "RED";
  if (items.length === 0 || items.some((i) => i.status === "AMBER")) return "AMBER";
  return "GREEN";
}

/** `09:15 IST` of an instant (verdict texts; the pure core cannot use the browser's formatter). */
export function istClock(epochMs: number, withSeconds = false): string {
  const ms = (((epochMs + IST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  const pad = (n: number) => String(Math.floor(n)).padStart(2, "0");
  const hm = `${pad(ms / 3_600_000)}:${pad((ms / 60_000) % 60)}`;
  return `${withSeconds ? `${hm}:${pad((ms / 1000) % 60)}` : hm} IST`;
}

/** Whether the day's scheduled check should start now, or why not. */
export type ReadinessDue = { due: true; at: number } | { due: false; at: number | null; reason: string };

/**
 * The scheduled check of a day starts `leadMinutes` before its session opens (a special session counts like any
 * other; a closed day has none). A worker that was down at that moment still starts it later, until the session
 * closes: a late check is worth more than none.
 */
export function readinessDue(session: ExchangeSession, now: number, leadMinutes: number): ReadinessDue {
  if (session.closed || session.opensAt === null || session.closesAt === null)
    return { due: false, at: null, reason: `${session.exchange} closed on ${session.date}` };
  const at = session.opensAt - leadMinutes * 60_000;
  if (now < at) return { due: false, at, reason: `due at ${istClock(at)}` };
  if (now >= session.closesAt) return { due: false, at, reason: `${session.exchange} session already over` };
  return { due: true, at };
}
