import Decimal from "decimal.js";

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
