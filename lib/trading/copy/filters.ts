/**
 * What a group copies (docs/copy-trading.md "The group and its children"): exchanges, products, an allow and a deny
 * list of underlyings or exact symbols, and a window for opening copies. Pure: the caller passes the IST minute.
 */
import { parseDerivativeSymbol } from "@/lib/trading/symbols";
import type { CopyContract, CopyFilters } from "./types";

/** Minutes since IST midnight of an "HH:MM" text; null when it is not one. */
export function windowMinutes(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const listed = (list: readonly string[], symbol: string, underlying: string | null) =>
  list.some((s) => {
    const name = s.trim().toUpperCase();
    return name === symbol || (underlying !== null && name === underlying);
  });

/**
 * Null when the group copies `contract`, else the reason it does not. The window applies to opening copies only
 * (`opening`): a copy that reduces a child's position is sent at any time. A window whose end is before its start
 * spans midnight.
 */
export function copyFilterVerdict(
  filters: CopyFilters,
  contract: CopyContract,
  when: { opening: boolean; istMinutes: number },
): string | null {
  const exchange = contract.exchange.toUpperCase();
  if (!filters.exchanges.some((e) => e.toUpperCase() === exchange)) return `exchange ${contract.exchange} not copied`;
  const product = contract.product.toUpperCase();
  if (filters.products.length > 0 && !filters.products.some((p) => p.toUpperCase() === product))
    return `product ${contract.product} not copied`;
  const symbol = contract.symbol.toUpperCase();
  const underlying = parseDerivativeSymbol(symbol)?.underlying ?? null;
  if (listed(filters.denySymbols, symbol, underlying)) return `${contract.symbol} is on the deny list`;
  if (filters.allowSymbols.length > 0 && !listed(filters.allowSymbols, symbol, underlying))
    return `${contract.symbol} is not on the allow list`;
  if (when.opening) {
    const start = filters.windowStart === null ? null : windowMinutes(filters.windowStart);
    const end = filters.windowEnd === null ? null : windowMinutes(filters.windowEnd);
    const m = when.istMinutes;
    const inside =
      start !== null && end !== null
        ? start <= end
          ? m >= start && m < end
          : m >= start || m < end
        : (start === null || m >= start) && (end === null || m < end);
    if (!inside) return `outside the copy window ${filters.windowStart ?? ""}–${filters.windowEnd ?? ""}`;
  }
  return null;
}
