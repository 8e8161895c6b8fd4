/**
 * What the risk engine watches, read in one go (docs/risk.md "Evaluation"): every armed run still live, with the
 * ledger positions of the run and its adjustments (average cost, per account and contract, every account of the run),
 * and every account carrying a daily loss limit, with its whole ledger and the part booked before today. Prices are
 * read separately (./prices.ts), so one book serves many tick evaluations.
 */
import Decimal from "decimal.js";
import { listAccounts } from "@/lib/db/queries/accounts";
import { listLimitAccounts } from "@/lib/db/queries/account-day-blocks";
import { listArmedRuns, listRunContracts } from "@/lib/db/queries/run-risks";
import { runsTriggeredBefore } from "@/lib/db/queries/runs";
import { adjustmentsOf } from "@/lib/db/queries/run-scope";
import { feedKindOf, type FeedKind } from "@/lib/services/market-data";
import { ledgerInputs } from "@/lib/services/positions";
import { istDateOf, istInstant } from "@/lib/trading/calendar";
import { buildLedger, ledgerFills, type IntentFill, type LedgerPosition } from "@/lib/trading/ledger";
import { riskRulesSchema, type RiskRules } from "@/lib/trading/risk/rules";
import { contractOf, isOpen, type RiskPosition } from "@/lib/trading/risk/run-book";
import type { SupertrendState } from "@/lib/trading/risk/supertrend";
import { log } from "@/lib/log";

export interface ArmedRun {
  runId: string;
  ownerId: string;
  strategyId: string | null;
  runStatus: string;
  triggeredAt: number;
  rules: RiskRules;
  paused: boolean;
  firedLegs: number[];
  trail: { peak: Decimal | null; stop: Decimal | null };
  /** The feed kind of the run's accounts (a run never mixes real and simulated accounts). */
  kind: FeedKind;
  /** The exchange its time exit is read against (its first leg's). */
  exchange: string;
  /** The run and the adjustment runs it covers. */
  covered: string[];
  positions: RiskPosition[];
  /** An order of the run (or of an adjustment) may still become a position. */
  working: boolean;
  /** Every contract the run holds or may come to hold, `EXCHANGE:SYMBOL`. */
  contracts: string[];
  /** The Supertrend state kept on the run (`run_risks.state.supertrend`), when its rules have one. */
  supertrend: SupertrendState | null;
  /** Set in memory once a run-level rule fired for it this book (the database has the last word). */
  done?: boolean;
}

export interface LimitAccount {
  accountId: string;
  ownerId: string;
  name: string;
  limit: Decimal;
  kind: FeedKind;
  all: RiskPosition[];
  beforeToday: RiskPosition[];
  /** Set in memory once blocked this book. */
  blocked?: boolean;
}

export interface RiskBook {
  /** When it was read (epoch ms), and the IST date its daily figures are for. */
  at: number;
  day: string;
  runs: ArmedRun[];
  accounts: LimitAccount[];
  /** `<kind>|EXCHANGE:SYMBOL` → the runs and limit accounts a tick of that contract concerns. */
  byContract: Map<string, { runs: Set<string>; accounts: Set<string> }>;
}

const toRisk = (p: LedgerPosition, legIndex: number | null): RiskPosition => ({
  accountId: p.accountId,
  exchange: p.exchange,
  symbol: p.symbol,
  product: p.product,
  legIndex,
  netQty: p.netQty,
  avgPrice: p.avgPrice,
  realisedPnl: p.realisedPnl,
  boughtQty: p.boughtQty,
  soldQty: p.soldQty,
});

const legsOf = (value: unknown): { exchange?: string }[] => (Array.isArray(value) ? value : []);

/** A stored Supertrend state of this shape's version, or null (a state of another version starts afresh). */
function keptSupertrend(value: unknown): SupertrendState | null {
  return value !== null && typeof value === "object" && (value as { v?: unknown }).v === 1
    ? (value as SupertrendState)
    : null;
}

/** Reads the book at `now`. */
export async function loadRiskBook(now: Date): Promise<RiskBook> {
  const day = istDateOf(now.getTime());
  const [armed, accounts, limited] = await Promise.all([
    listArmedRuns(),
    listAccounts({ ownerId: null }),
    listLimitAccounts(day),
  ]);
  const kindOf = new Map(accounts.map((a) => [a.id, feedKindOf(a)]));
  const adjustments = await adjustmentsOf(armed.map((r) => r.runId));
  const coverOf = new Map<string, string>();
  for (const r of armed) for (const id of [r.runId, ...(adjustments.get(r.runId) ?? [])]) coverOf.set(id, r.runId);
  const contracts = await listRunContracts([...coverOf.keys()]);
  const { fills, allocations } = await ledgerInputs({
    contracts: [
      ...new Map(contracts.map((c) => [`${c.accountId}|${c.exchange}|${c.symbol}|${c.product}`, c])).values(),
    ],
  });
  const positions = buildLedger(ledgerFills(fills, allocations, "run"));
  // A contract's leg in a run (and its adjustments), by (run, account, contract, product).
  const legOf = new Map<string, number>();
  for (const c of contracts) {
    const k = `${coverOf.get(c.runId)}|${c.accountId}|${c.exchange}|${c.symbol}|${c.product}`;
    if (!legOf.has(k)) legOf.set(k, c.legIndex);
  }
  const runs: ArmedRun[] = [];
  for (const row of armed) {
    const parsed = riskRulesSchema.safeParse(row.rules);
    if (!parsed.success) {
      log().error({ runId: row.runId, issues: parsed.error.issues }, "armed run with unreadable rules: not watched");
      continue;
    }
    const covered = [row.runId, ...(adjustments.get(row.runId) ?? [])];
    const mine = contracts.filter((c) => coverOf.get(c.runId) === row.runId);
    const held = positions
      .filter((p) => p.scope.runId !== null && coverOf.get(p.scope.runId) === row.runId)
      .map((p) => toRisk(p, legOf.get(`${row.runId}|${p.accountId}|${p.exchange}|${p.symbol}|${p.product}`) ?? null));
    runs.push({
      runId: row.runId,
      ownerId: row.ownerId,
      strategyId: row.strategyId,
      runStatus: row.runStatus,
      triggeredAt: row.triggeredAt.getTime(),
      rules: parsed.data,
      paused: row.paused,
      firedLegs: row.firedLegs,
      trail: {
        peak: row.peakPnl === null ? null : new Decimal(row.peakPnl),
        stop: row.trailStop === null ? null : new Decimal(row.trailStop),
      },
      kind: kindOf.get(mine[0]?.accountId ?? "") ?? "real",
      exchange: mine[0]?.exchange ?? legsOf(row.legs)[0]?.exchange ?? "NFO",
      covered,
      positions: held,
      working: mine.some((c) => c.working),
      contracts: [...new Set([...mine.map(contractOf), ...held.map(contractOf)])].sort(),
      supertrend: parsed.data.supertrend ? keptSupertrend(row.supertrend) : null,
    });
  }
  const book: RiskBook = {
    at: now.getTime(),
    day,
    runs,
    accounts: await limitAccounts(limited, now, day),
    byContract: new Map(),
  };
  const index = (kind: FeedKind, key: string) => {
    const k = `${kind}|${key}`;
    let entry = book.byContract.get(k);
    if (!entry) book.byContract.set(k, (entry = { runs: new Set(), accounts: new Set() }));
    return entry;
  };
  for (const r of runs) for (const key of r.contracts) index(r.kind, key).runs.add(r.runId);
  for (const a of book.accounts)
    for (const p of a.all.filter(isOpen)) index(a.kind, contractOf(p)).accounts.add(a.accountId);
  return book;
}

/** The accounts with a daily loss limit, each with its ledger over every fill and over fills booked before today. */
async function limitAccounts(
  rows: Awaited<ReturnType<typeof listLimitAccounts>>,
  now: Date,
  day: string,
): Promise<LimitAccount[]> {
  if (rows.length === 0) return [];
  const { fills, allocations } = await ledgerInputs({ accountIds: rows.map((a) => a.id) });
  const earlier = await runsTriggeredBefore(
    [...new Set(fills.map((f) => f.runId))],
    new Date(Math.min(istInstant(day, "00:00"), now.getTime())),
  );
  const ledger = (list: IntentFill[]) => buildLedger(ledgerFills(list, allocations, "run"));
  const all = ledger(fills);
  const before = ledger(fills.filter((f) => earlier.has(f.runId)));
  return rows.map((a) => ({
    accountId: a.id,
    ownerId: a.ownerId,
    name: a.name,
    limit: new Decimal(a.dailyLossLimit!.toString()),
    kind: feedKindOf(a),
    all: all.filter((p) => p.accountId === a.id).map((p) => toRisk(p, null)),
    beforeToday: before.filter((p) => p.accountId === a.id).map((p) => toRisk(p, null)),
  }));
}
