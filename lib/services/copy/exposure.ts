/**
 * A child's exposure in the group per contract (docs/copy-trading.md "FILLS mode"): its broker-confirmed position
 * from the group's COPY runs, less what exit runs closed of it (the ledger's attribution), plus the working units of
 * its unsettled copy orders and the planned units of events not yet handed on. Also the contract sizes sizing uses.
 */
import type { BrokerAdapter } from "@/lib/brokers/types";
import { listCopyExitContracts, listCopyExposure, type ScanGroup } from "@/lib/db/queries/copy-engine";
import type { SqlTx } from "@/lib/db/transaction";
import { expiryHolidaySet } from "@/lib/services/calendar";
import { instrumentsFor } from "@/lib/services/exits";
import { ledgerInputs } from "@/lib/services/positions";
import { tradingSettings } from "@/lib/services/settings";
import { instrumentKey } from "@/lib/trading/exit-plan";
import { ledgerFills } from "@/lib/trading/ledger";
import { copyContractKey, type ContractSizes, type CopyContract } from "@/lib/trading/copy/types";

const key = (accountId: string, c: CopyContract) => `${accountId}|${copyContractKey(c)}`;

/**
 * Units exit runs closed (or opened) of the group's positions, per child and contract: the ledger's booking of the
 * group's scope minus its COPY fills. Exits change rarely, so this is read outside the recording transaction, and
 * only over the (child, contract) pairs where both the group's COPY runs and some exit filled (usually none: then
 * no ledger is read at all).
 */
export async function exitAdjustments(group: Pick<ScanGroup, "id" | "children">): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (group.children.length === 0) return out;
  const contracts = await listCopyExitContracts(group.id);
  if (contracts.length === 0) return out;
  const { fills, allocations } = await ledgerInputs({ contracts });
  const add = (k: string, units: number) => out.set(k, (out.get(k) ?? 0) + units);
  for (const f of ledgerFills(fills, allocations, "strategy"))
    if (f.scope.copyGroupId === group.id) add(key(f.accountId, f), f.action === "BUY" ? f.quantity : -f.quantity);
  for (const f of fills)
    if (f.runKind === "COPY" && f.copyGroupId === group.id)
      add(key(f.accountId, f), f.action === "BUY" ? -f.filledQuantity : f.filledQuantity);
  return out;
}

export interface ExposureBook {
  /** Signed units (the child's own side): confirmed + working + planned. */
  exposure(accountId: string, c: CopyContract): number;
  /** Counts units planned meanwhile (events sized in the same pass). */
  add(accountId: string, c: CopyContract, units: number): void;
  /** Every (child, contract) with something confirmed, working or planned. */
  rows(): { accountId: string; contract: CopyContract; confirmed: number; working: number }[];
}

/**
 * The children's exposure as `tx` sees it (pass the recording transaction), with the exits' adjustments; without
 * the PENDING events' planned orders when `pending` is false (the hand-on, which is handing those on).
 */
export async function exposureBook(
  groupId: string,
  adjust: ReadonlyMap<string, number>,
  tx?: SqlTx,
  pending = true,
): Promise<ExposureBook> {
  const rows = new Map<string, { accountId: string; contract: CopyContract; confirmed: number; working: number }>();
  for (const r of await listCopyExposure(groupId, tx)) {
    const contract = { symbol: r.symbol, exchange: r.exchange, product: r.product };
    rows.set(key(r.accountId, contract), {
      accountId: r.accountId,
      contract,
      confirmed: r.filled,
      working: r.working + (pending ? r.pending : 0),
    });
  }
  for (const [k, units] of adjust) {
    const row = rows.get(k);
    if (row) row.confirmed += units;
    else {
      const [accountId, exchange, symbol, product] = k.split("|");
      rows.set(k, { accountId, contract: { exchange, symbol, product }, confirmed: units, working: 0 });
    }
  }
  return {
    exposure(accountId, c) {
      const r = rows.get(key(accountId, c));
      return r ? r.confirmed + r.working : 0;
    },
    add(accountId, c, units) {
      const k = key(accountId, c);
      const r = rows.get(k) ?? { accountId, contract: c, confirmed: 0, working: 0 };
      r.working += units;
      rows.set(k, r);
    },
    rows: () => [...rows.values()],
  };
}

/** Sizes per owner and contract, kept briefly: a burst trades one contract, and the freeze read is a broker call. */
const sizeCache = new Map<string, { at: number; sizes: ContractSizes }>();
const SIZE_TTL_MS = 30_000;

/** Lot size and current freeze quantity per contract, as exits get them; a contract without a lot size is absent. */
export async function contractSizesFor(
  group: Pick<ScanGroup, "ownerId">,
  adapter: BrokerAdapter,
  contracts: readonly CopyContract[],
): Promise<Map<string, ContractSizes>> {
  const out = new Map<string, ContractSizes>();
  const now = Date.now();
  const cacheKey = (c: CopyContract) => `${group.ownerId}|${instrumentKey(c.exchange, c.symbol)}`;
  const missing = contracts.filter((c) => {
    const hit = sizeCache.get(cacheKey(c));
    if (hit && now - hit.at < SIZE_TTL_MS) out.set(copyContractKey(c), hit.sizes);
    return !out.has(copyContractKey(c));
  });
  if (missing.length === 0) return out;
  const found = await instrumentsFor(group.ownerId, adapter, missing, { tradingSettings, expiryHolidaySet });
  for (const c of missing) {
    const s = found.get(instrumentKey(c.exchange, c.symbol));
    if (!s) continue;
    const sizes = { lotSize: s.lotSize, freezeQty: s.freezeQty };
    sizeCache.set(cacheKey(c), { at: now, sizes });
    out.set(copyContractKey(c), sizes);
  }
  return out;
}
