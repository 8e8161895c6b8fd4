"use client";

import { Badge } from "@/components/ui/primitives";
import { Pnl } from "@/components/accounts/status";
import type { Subtotal } from "@/lib/trading/live-book";

/**
 * A subtotal's P&L as every screen shows it (docs/market-data.md "Unrealised P&L: one definition"): the amount, or
 * "—" when a row has no price, with how many rows are unpriced and how many are priced from a REST quote or a
 * quote the live feed flags stale.
 */
export function BookTotal({
  s,
  field,
  compact,
}: {
  s: Subtotal;
  field: "realised" | "unrealised" | "total";
  compact?: boolean;
}) {
  // The count covers rows unknown in realised or unrealised P&L: it is shown beside the figures that use both.
  const unpriced = field === "realised" ? 0 : s.unpriced;
  return (
    <span className="inline-flex flex-wrap items-center justify-end gap-1">
      <span
        data-testid="book-total-value"
        data-value={s[field] ?? ""}
        title={s[field] === null ? "A row has no price or no known average: the total is unknown" : undefined}
      >
        <Pnl value={s[field]} compact={compact} />
      </span>
      {unpriced > 0 && s[field] === null ? (
        <span
          data-testid="book-total-unpriced"
          title={`${unpriced} position${unpriced === 1 ? " has" : "s have"} no price (or no known average): the total is unknown until ${unpriced === 1 ? "it is" : "they are"} priced`}
        >
          <Badge tone="amber">{unpriced} unpriced</Badge>
        </span>
      ) : null}
      {field !== "realised" && s.notLive > 0 ? (
        <span
          data-testid="book-total-not-live"
          title={`${s.notLive} open position${s.notLive === 1 ? " is" : "s are"} priced from a REST quote or a stale live quote, not a fresh live-feed tick`}
        >
          <Badge tone="slate">{s.notLive} not live</Badge>
        </span>
      ) : null}
    </span>
  );
}
