/** Rupee amounts for human-readable reasons and warnings, in Indian digit grouping (₹6,50,000). */
import Decimal from "decimal.js";

/** `₹6,50,000`, `₹1,234.50`, `-₹5,000`: paise shown only when present. */
export function formatRupees(amount: Decimal.Value): string {
  const d = new Decimal(amount);
  const fixed = d.abs().toFixed(2);
  const [whole, paise] = fixed.split(".");
  const head = whole.slice(0, -3);
  const tail = whole.slice(-3);
  const grouped = head ? `${head.replace(/\B(?=(\d{2})+$)/g, ",")},${tail}` : tail;
  const sign = d.isNegative() && fixed !== "0.00" ? "-" : "";
  return `${sign}₹${grouped}${paise === "00" ? "" : `.${paise}`}`;
}
