import Decimal from "decimal.js";
import type { RunKind } from "@/lib/generated/prisma/client";

/**
 * Display formatting for a trader's eye: Indian digit grouping (1,23,45,678.90), ₹ sign, lakh/crore short forms.
 * Inputs are decimal strings or Decimals (money never passes through float arithmetic here).
 */
const grouping = new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const groupingInt = new Intl.NumberFormat("en-IN", { maximumFractionDigits: 0 });

function toDecimal(v: Decimal.Value): Decimal {
  return v instanceof Decimal ? v : new Decimal(v);
}

/** `₹1,23,456.70`, `-₹5,000.00`. Rounded half-up to paise for display only. */
export function formatInr(v: Decimal.Value): string {
  const d = toDecimal(v).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  // Intl formats a decimal string exactly (no float conversion) when given a string.
  const body = grouping.format(d.abs().toFixed(2) as unknown as number);
  return `${d.isNegative() && !d.isZero() ? "-" : ""}₹${body}`;
}

/** Short form for dense tables: `₹12.35 L`, `₹1.20 Cr`, `₹95,000`. */
export function formatInrShort(v: Decimal.Value): string {
  const d = toDecimal(v);
  const sign = d.isNegative() && !d.isZero() ? "-" : "";
  const a = d.abs();
  if (a.gte(1e7)) return `${sign}₹${a.div(1e7).toFixed(2)} Cr`;
  if (a.gte(1e5)) return `${sign}₹${a.div(1e5).toFixed(2)} L`;
  return `${sign}₹${groupingInt.format(a.toFixed(0) as unknown as number)}`;
}

/** Integer quantities with Indian grouping: `1,755`, `1,00,000`. */
export function formatQty(n: number): string {
  return groupingInt.format(n);
}

/** Whether an amount is big enough (≥ ₹1 lakh) that a total reads better as `₹1.62 Cr`. */
export function isLakhOrMore(v: Decimal.Value): boolean {
  return toDecimal(v).abs().gte(1e5);
}

/**
 * One date-time format for every screen: Asia/Kolkata wall clock with the zone, `06 Dec 2026, 09:15:03 IST`.
 * Built from parts so Node and every browser print the same text.
 */
const istParts = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Asia/Kolkata",
  day: "2-digit",
  month: "numeric",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function parts(at: Date): Record<string, string> {
  return Object.fromEntries(istParts.formatToParts(at).map((p) => [p.type, p.value]));
}

function toDate(v: string | number | Date): Date | null {
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `06 Dec 2026, 09:15:03 IST`; `—` for a missing or unreadable time. */
export function formatDateTime(v: string | number | Date | null | undefined): string {
  const d = v === null || v === undefined ? null : toDate(v);
  if (!d) return "—";
  const p = parts(d);
  return `${p.day} ${MONTHS[Number(p.month) - 1]} ${p.year}, ${p.hour}:${p.minute}:${p.second} IST`;
}

/** `09:15:03 IST` (for "updated at" stamps of today's data); `—` when missing. */
export function formatTimeIst(v: string | number | Date | null | undefined): string {
  const d = v === null || v === undefined ? null : toDate(v);
  if (!d) return "—";
  const p = parts(d);
  return `${p.hour}:${p.minute}:${p.second} IST`;
}

/** What started a run, as a trader reads it: run pages and notifications name runs alike. */
export const RUN_KIND_LABEL: Record<RunKind, string> = {
  STRATEGY: "Strategy run",
  ADJUSTMENT: "Adjustment",
  TICKET: "Manual ticket",
  EXIT: "Exit",
  COPY: "Copy",
  STOP_ORDERS: "Stops at broker",
};
