/**
 * The stale-prices alert (docs/market-data.md "Stale data"): one open alert per owner with active accounts of a feed
 * kind while any contract of that kind is stale, its message kept up to date with the stale contracts, resolved
 * when none is left.
 */
import { listActiveAccountHealth } from "@/lib/db/queries/accounts";
import { openAlertsOfKind, raiseAlert, resolveAlertIds, updateOpenAlertMessage } from "@/lib/db/queries/alerts";
import { inTransaction } from "@/lib/db/transaction";
import { formatTimeIst } from "@/lib/format";
import { log } from "@/lib/log";
import { underlyingOfSymbol } from "@/lib/trading/staleness";
import { feedKindOf, feedLabel, type FeedKind } from "../source";
import type { StaleFlag } from "./contract";

/** Alert kind of a feed kind's stale prices (one per kind, so real and simulated never hide each other). */
export const staleAlertKind = (kind: FeedKind) => `market_data_stale_${kind}`;

const LISTED = 5;

/** The alert text for the stale contracts of `kind` (flags by `EXCHANGE:SYMBOL`). */
export function staleAlertMessage(kind: FeedKind, flags: ReadonlyMap<string, StaleFlag>, restEveryMs: number): string {
  const sorted = [...flags].sort(([a, fa], [b, fb]) => fa.since.localeCompare(fb.since) || a.localeCompare(b));
  const listed = sorted.slice(0, LISTED).map(([key, f]) => `${key} since ${formatTimeIst(f.since)}`);
  const more = sorted.length > LISTED ? ` and ${sorted.length - LISTED} more` : "";
  const underlyings = [...new Set(sorted.map(([, f]) => underlyingOfSymbol(f.symbol)))].sort().join(", ");
  const n = sorted.length;
  return (
    `Live ${feedLabel(kind)} prices stopped for ${n} contract${n === 1 ? "" : "s"}: ${listed.join(", ")}${more}. ` +
    `REST quotes (labelled "rest") fill in every ${restEveryMs / 1000} s; new entries on ${underlyings} are refused ` +
    `until live ticks return. Exits stay allowed.`
  );
}

/** Raises, rewrites or resolves `kind`'s stale-prices alert for every owner with active accounts of that kind. */
export async function syncStaleAlerts(
  kind: FeedKind,
  flags: ReadonlyMap<string, StaleFlag>,
  now: Date,
  restEveryMs: number,
): Promise<void> {
  const alertKind = staleAlertKind(kind);
  const open = await openAlertsOfKind(alertKind);
  if (flags.size === 0 && open.length === 0) return;
  const message = flags.size > 0 ? staleAlertMessage(kind, flags, restEveryMs) : null;
  const owners = message
    ? new Set((await listActiveAccountHealth()).filter((a) => feedKindOf(a) === kind).map((a) => a.ownerId))
    : new Set<string>();
  const resolve = open.filter((a) => !owners.has(a.ownerId));
  const rewrite = open.filter((a) => owners.has(a.ownerId) && a.message !== message);
  const alerted = new Set(open.map((a) => a.ownerId));
  const raise = [...owners].filter((o) => !alerted.has(o));
  if (resolve.length + rewrite.length + raise.length === 0) return;
  await inTransaction(async (tx) => {
    if (resolve.length)
      await resolveAlertIds(
        tx,
        resolve.map((a) => a.id),
        now,
      );
    for (const a of rewrite) await updateOpenAlertMessage(tx, a.id, message!);
    for (const ownerId of raise)
      await raiseAlert(tx, { ownerId, accountId: null, kind: alertKind, severity: "WARNING", message: message! });
  });
  if (raise.length) log().warn({ kind, contracts: flags.size }, "live prices stale: alert raised");
  if (!message) log().info({ kind }, "live prices back: stale alert resolved");
}
