/**
 * Reading the positions ledger (lib/trading/ledger.ts) from stored fills: of some accounts or owners, and the ledger
 * of every account as a process keeps it for its periodic readers (the P&L recorder, the positions' live-price
 * interest; docs/performance.md "The worker's ledger of every account").
 */
import { listAccountFills, listExitAllocations, listFillPrints, listIntentFills } from "@/lib/db/queries/ledger";
import {
  buildLedger,
  ledgerFills,
  type ExitAllocation,
  type Granularity,
  type IntentFill,
  type LedgerPosition,
} from "@/lib/trading/ledger";

type LedgerFilter = Parameters<typeof listIntentFills>[0];
type LedgerInputs = { fills: IntentFill[]; allocations: Map<string, ExitAllocation[]> };

/** Fills and exit attributions of some accounts or of an owner (everything the ledger needs). */
export async function ledgerInputs(filter: LedgerFilter): Promise<LedgerInputs> {
  const fills = await listIntentFills(filter);
  return { fills, allocations: await exitAllocationsOf(fills) };
}

const exitAllocationsOf = (fills: readonly IntentFill[]) =>
  listExitAllocations([...new Set(fills.filter((f) => f.runKind === "EXIT").map((f) => f.runId))]);

export async function ledgerPositions(filter: LedgerFilter, granularity: Granularity): Promise<LedgerPosition[]> {
  const { fills, allocations } = await ledgerInputs(filter);
  return buildLedger(ledgerFills(fills, allocations, granularity));
}

interface AccountLedger {
  /** The account's fingerprint when `inputs` were read (or an older one: see `positions`). */
  print: string;
  inputs: LedgerInputs;
  positions: Partial<Record<Granularity, LedgerPosition[]>>;
}

export interface EveryLedger {
  /** Every account's positions at `granularity`: `ledgerPositions({}, granularity)`, grouped by account. */
  positions(granularity: Granularity): Promise<LedgerPosition[]>;
}

/**
 * The ledger of every account, kept between reads. An account's ledger depends only on its own fills (an exit's
 * fills are attributed within their account and contract), so each read asks Postgres for one fingerprint per
 * account (`listFillPrints`) and reads and rebuilds only the accounts whose fingerprint is not the one it holds; those
 * accounts' fills come with their fingerprints from one statement (`listAccountFills`), so a held fingerprint always
 * describes the held fills. A new ledger (a process start) rebuilds every account at its first read.
 */
export function everyLedger(): EveryLedger {
  const accounts = new Map<string, AccountLedger>();
  return {
    async positions(granularity) {
      const prints = await listFillPrints();
      for (const id of accounts.keys()) if (!prints.has(id)) accounts.delete(id);
      // This read's accounts, held here: a read running beside it may drop or replace entries of `accounts`.
      const current = new Map<string, AccountLedger>();
      const moved: string[] = [];
      for (const [id, print] of prints) {
        const known = accounts.get(id);
        if (known?.print === print) current.set(id, known);
        else moved.push(id);
      }
      if (moved.length > 0) {
        const { fills, prints: read } = await listAccountFills(moved);
        const allocations = await exitAllocationsOf(fills);
        const byAccount = new Map<string, IntentFill[]>([...read.keys()].map((id) => [id, []]));
        for (const f of fills) byAccount.get(f.accountId)!.push(f);
        // An account whose fills are gone by now is left out, as a full rebuild at this moment would.
        for (const [id, print] of read) {
          const entry = { print, inputs: { fills: byAccount.get(id)!, allocations }, positions: {} };
          current.set(id, entry);
          accounts.set(id, entry);
        }
      }
      return [...current.values()].flatMap((a) => {
        a.positions[granularity] ??= buildLedger(ledgerFills(a.inputs.fills, a.inputs.allocations, granularity));
        return a.positions[granularity];
      });
    },
  };
}

/** This process's ledger of every account. */
export const processLedger: EveryLedger = everyLedger();
