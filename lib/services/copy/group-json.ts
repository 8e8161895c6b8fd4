/** Copy-group rows → the JSON the routes answer (./types.ts). */
import type { CopyGroupRow, LastCopyEventRow } from "@/lib/db/queries/copy-groups";
import type { CopyChildJson, CopyGroupJson } from "./types";

function childJson(c: CopyGroupRow["children"][number]): CopyChildJson {
  return {
    accountId: c.accountId,
    accountName: c.account.name,
    multiplier: c.multiplier.toString(),
    rounding: c.rounding,
    minOneLot: c.minOneLot,
    enabled: c.enabled,
    pausedReason: c.pausedReason,
    maxLotsPerOrder: c.maxLotsPerOrder,
    maxOpenLots: c.maxOpenLots,
    reverse: c.reverse,
    accountStatus: c.account.status,
  };
}

export function groupJson(row: CopyGroupRow, last: LastCopyEventRow | null = null): CopyGroupJson {
  return {
    id: row.id,
    ownerId: row.ownerId,
    name: row.name,
    masterAccountId: row.masterAccountId,
    masterAccountName: row.masterAccount.name,
    mode: row.mode,
    enabled: row.enabled,
    pausedReason: row.pausedReason,
    exchanges: row.exchanges,
    products: row.products,
    allowSymbols: row.allowSymbols,
    denySymbols: row.denySymbols,
    windowStart: row.windowStart,
    windowEnd: row.windowEnd,
    startedAt: row.startedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    children: row.children.map(childJson),
    lastEvent: last && {
      id: last.id,
      kind: last.kind,
      symbol: last.symbol,
      status: last.status,
      detectedAt: last.detectedAt.toISOString(),
    },
  };
}
