/**
 * One pass over one account's broker-side leg stops (docs/risk.md "Leg stops at the broker"): for every leg of every
 * run with stops at the broker there, what should rest (lib/trading/risk/leg-stops.ts, from the ledger) against what
 * rests now, and the one step that brings them closer:
 *  - the same → nothing;
 *  - different, and something rests or is on its way → cancel it (unsent slices skipped, working orders cancelled at
 *    the broker, then the books read once); the NEXT pass places the new stops, from a ledger that shows whatever
 *    filled meanwhile — never two sets of stops at once;
 *  - nothing rests and something should → a new STOP_ORDERS run (generation + 1, deterministic key: two workers, a
 *    retry or a restart make one run; dispatch sends each slice exactly once).
 * An active exit covering the run owns the leg: nothing is placed or cancelled here (the exit cancels the stops before
 * it sends, and the transaction that stores new stops re-checks that no exit began meanwhile). Day orders from an
 * earlier order-book day lapsed with their session and are recorded so; stops are only placed while the contract's
 * exchange is in session.
 */
import { z } from "zod";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import {
  activeExitsInAccount,
  entryLegsOf,
  type StopIntent,
  stopIntentsOf,
  type StopRunRow,
  stopRunsOfAccount,
  LIVE_STOP_STATES,
} from "@/lib/db/queries/leg-stops";
import { log } from "@/lib/log";
import { inSession } from "@/lib/services/calendar";
import { applyIntentChanges } from "@/lib/services/dispatch";
import type { TradingClock } from "@/lib/services/market-data";
import { ledgerPositions } from "@/lib/services/positions";
import { tradingSettings } from "@/lib/services/settings";
import { bookDayStart } from "@/lib/trading/fills";
import { instrumentSettingsFor } from "@/lib/trading/instruments";
import {
  desiredStops,
  type HeldLeg,
  type LiveStop,
  stopKindOf,
  type StopOrder,
  stopsMatch,
} from "@/lib/trading/risk/leg-stops";
import { riskRulesSchema, type RiskRules } from "@/lib/trading/risk/rules";
import { recordFilledStops } from "./fired-stops";
import { covers, type ExitRow, placeStops, SENT_ORDER, withdrawStops } from "./stop-orders";

/** Runs older than this are not looked at for new stops (every F&O contract has expired by then). */
export const STOP_WATCH_DAYS = 100;

export interface PassResult {
  /** STOP_ORDERS runs created. */
  placed: string[];
  /** Stop slices cancelled or skipped. */
  cancelled: number;
  /** Risk events written for stops that filled. */
  fired: number;
  /** Stops were cancelled: the next pass places their replacements from the refreshed books. */
  again: boolean;
  /** Something is moving that a pass cannot wait for (a stop being sent, an exit at work): look again shortly. */
  recheck: boolean;
  warnings: string[];
}

const planLegsSchema = z.array(
  z.object({ legIndex: z.int(), underlying: z.string(), lotSize: z.int().positive(), freezeQty: z.int().nullable() }),
);
const REFUSED: ReadonlySet<string> = new Set(["rejected", "rejected_late", "skipped"]);
const isLive = (i: StopIntent) => (LIVE_STOP_STATES as readonly string[]).includes(i.state);

function rulesOf(run: StopRunRow): RiskRules | null {
  if (run.mode !== "BROKER" || run.paused || run.rules === null) return null;
  const parsed = riskRulesSchema.safeParse(run.rules);
  if (!parsed.success) log().warn({ runId: run.runId, issues: parsed.error.issues }, "unreadable run risk rules");
  return parsed.success ? parsed.data : null;
}

const liveStop = (i: StopIntent, remaining = i.quantity - i.filledQuantity): LiveStop => ({
  kind: stopKindOf(i.legIndex),
  priceType: i.priceType,
  level: (i.triggerPrice ?? i.price)!,
  remaining,
});

/** Whether the last generation's stops were all refused unfilled and were these very orders. */
function refusedBefore(last: readonly StopIntent[], orders: readonly StopOrder[]): boolean {
  if (last.length === 0 || !last.every((i) => REFUSED.has(i.state) && i.filledQuantity === 0)) return false;
  const asSent = last.map((i) => liveStop(i, i.quantity));
  return stopsMatch(orders, asSent);
}

/** What one pass reads about the account, once. */
interface Books {
  account: { id: string; name: string };
  entries: Awaited<ReturnType<typeof entryLegsOf>>;
  /** Stop intents of the account's runs, less those that lapsed with an earlier session. */
  stops: StopIntent[];
  exits: ExitRow[];
  ledger: Awaited<ReturnType<typeof ledgerPositions>>;
  settings: Awaited<ReturnType<typeof tradingSettings>>;
}

async function readBooks(account: Books["account"], runIds: readonly string[], now: Date): Promise<Books> {
  const [entries, stops, exits, ledger, settings] = await Promise.all([
    entryLegsOf(account.id, runIds),
    stopIntentsOf(account.id, runIds),
    activeExitsInAccount(account.id),
    ledgerPositions({ accountIds: [account.id] }, "run"),
    tradingSettings(),
  ]);
  // Day orders of an earlier book day are gone from the broker's books: they lapsed with their session.
  const dayStart = bookDayStart(now.getTime());
  const lapsed = stops.filter((i) => SENT_ORDER.has(i.state) && i.sentAt !== null && i.sentAt.getTime() < dayStart);
  if (lapsed.length > 0) {
    const at = now.getTime();
    await applyIntentChanges(
      lapsed.map((row) => ({ row, events: [{ type: "cancel", at, reason: "day order lapsed with its session" }] })),
    );
  }
  const gone = new Set(lapsed.map((i) => i.id));
  return { account, entries, stops: stops.filter((i) => !gone.has(i.id)), exits, ledger, settings };
}

/** The leg as the run holds it in the account; a reason instead when no stop can be sized for it. */
function heldLeg(books: Books, run: StopRunRow, legIndex: number): HeldLeg | string {
  const entry = books.entries.find((e) => e.runId === run.runId && e.legIndex === legIndex);
  const planLegs = planLegsSchema.safeParse(run.legs);
  const planLeg = planLegs.success ? planLegs.data.find((l) => l.legIndex === legIndex) : undefined;
  if (!entry || !planLeg) return `leg ${legIndex + 1}: not traded in this account`;
  const sameContract = books.entries.filter(
    (e) => e.runId === run.runId && e.symbol === entry.symbol && e.product === entry.product,
  );
  // Two legs of one run in one contract share one ledger position: no stop could say whose units it closes.
  if (sameContract.length > 1) return `leg ${legIndex + 1}: shares its contract with another leg of the run`;
  const p = books.ledger.find(
    (x) =>
      x.scope.runId === run.runId &&
      x.symbol === entry.symbol &&
      x.exchange === entry.exchange &&
      x.product === entry.product,
  );
  const net = p?.netQty ?? 0;
  return {
    legIndex,
    symbol: entry.symbol,
    exchange: entry.exchange,
    product: entry.product as HeldLeg["product"],
    action: entry.action,
    lotSize: planLeg.lotSize,
    freezeQty: planLeg.freezeQty,
    tickSize: instrumentSettingsFor(planLeg.underlying, books.settings.instruments)?.tickSize ?? 0.05,
    held: entry.action === "SELL" ? Math.max(0, -net) : Math.max(0, net),
    average: p?.avgPrice ?? null,
  };
}

/** The stops the leg should have now (none when its rules are off, it is flat, or it cannot be sized), with why not. */
function wantedStops(books: Books, run: StopRunRow, rules: RiskRules | null, legIndex: number) {
  const leg = rules ? heldLeg(books, run, legIndex) : null;
  if (leg === null) return { leg: null, orders: [], warnings: [] };
  if (typeof leg === "string") return { leg: null, orders: [], warnings: [`${leg}; no stop placed`] };
  return {
    leg,
    ...desiredStops(
      leg,
      rules?.legs.find((l) => l.legIndex === legIndex),
    ),
  };
}

/** One pass (see the file comment). */
export async function stopsPass(accountId: string, clock: TradingClock): Promise<PassResult> {
  const out: PassResult = { placed: [], cancelled: 0, fired: 0, again: false, recheck: false, warnings: [] };
  const now = clock.now;
  const runs = await stopRunsOfAccount(accountId, new Date(now.getTime() - STOP_WATCH_DAYS * 86_400_000));
  // Most syncs find nothing to protect (every exit's fills ask for one): they read no account.
  if (runs.length === 0) return out;
  const account = await loadAccountSecret(accountId);
  if (!account) return out;
  const runIds = runs.map((r) => r.runId);
  out.fired = await recordFilledStops(accountId, runIds);
  const books = await readBooks(account, runIds, now);
  const withdraw: StopIntent[] = [];
  for (const run of runs) {
    const rules = rulesOf(run);
    const runStops = books.stops.filter((i) => i.protectsRunId === run.runId);
    const legIndexes = new Set([
      ...(rules?.legs.filter((l) => l.stopLoss || l.takeProfit).map((l) => l.legIndex) ?? []),
      ...runStops.filter(isLive).map((i) => i.protectedLeg),
    ]);
    // An exit at work owns the run: it cancels these stops itself before it sends. What it leaves gets its stops
    // afterwards: looked at again shortly while the exit works, by the sweep while it keeps failing.
    if (books.exits.some((e) => covers(e, run))) {
      out.recheck ||= legIndexes.size > 0 && books.exits.some((e) => e.status === "PENDING" && covers(e, run));
      continue;
    }
    for (const legIndex of legIndexes) {
      const legStops = runStops.filter((i) => i.protectedLeg === legIndex);
      const live = legStops.filter(isLive);
      const { leg, orders, warnings } = wantedStops(books, run, rules, legIndex);
      out.warnings.push(...warnings);
      const resting = live.map((i) => liveStop(i));
      if (stopsMatch(orders, resting)) continue;
      if (live.length > 0) {
        // Replaced in two steps: these go first; the next pass places their successors from the refreshed books.
        withdraw.push(...live);
        continue;
      }
      if (!leg || orders.length === 0) continue;
      if (!clock.alwaysOpen && !(await inSession(leg.exchange, now))) continue;
      const generation = Math.max(0, ...legStops.map((i) => i.generation)) + 1;
      const previous = legStops.filter((i) => i.generation === generation - 1);
      if (refusedBefore(previous, orders)) {
        // The same stops were refused (or never sent) last time: sending them again would only be refused again.
        out.warnings.push(`leg ${legIndex + 1}: its stops were refused by the broker; not placed until they change`);
        continue;
      }
      const placed = await placeStops(run, account, leg, orders, generation, now);
      if (typeof placed === "object") out.placed.push(placed.runId);
      else if (placed === "exit") out.recheck = true;
      else out.warnings.push(`leg ${legIndex + 1}: the kill switch is engaged; no stop placed`);
    }
  }
  const w = await withdrawStops(accountId, withdraw, now);
  out.cancelled += w.cancelled;
  out.again = w.acted;
  out.recheck ||= w.inFlight;
  return out;
}
