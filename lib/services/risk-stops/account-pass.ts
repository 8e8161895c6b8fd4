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
import { ConflictError, KillSwitchError } from "@/lib/errors";
import { log } from "@/lib/log";
import { inSession } from "@/lib/services/calendar";
import { applyIntentChanges, cancelIntentOrders, type IntentChange } from "@/lib/services/dispatch";
import { syncAccountFills } from "@/lib/services/fills";
import type { TradingClock } from "@/lib/services/market-data";
import { ledgerPositions } from "@/lib/services/positions";
import { createRun } from "@/lib/services/runs";
import { tradingSettings } from "@/lib/services/settings";
import { bookDayStart } from "@/lib/trading/fills";
import { instrumentSettingsFor } from "@/lib/trading/instruments";
import {
  desiredStops,
  type HeldLeg,
  type LiveStop,
  stopKindOf,
  stopRunPreview,
  stopsMatch,
} from "@/lib/trading/risk/leg-stops";
import { riskRulesSchema, type RiskRules } from "@/lib/trading/risk/rules";
import { recordFilledStops } from "./fired-stops";

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
const SENT_ORDER: ReadonlySet<string> = new Set(["accepted", "reconciled_accepted", "partially_filled"]);
const UNSENT: ReadonlySet<string> = new Set(["planned", "safe_to_resend", "held"]);
const isLive = (i: StopIntent) => (LIVE_STOP_STATES as readonly string[]).includes(i.state);

type ExitRow = Awaited<ReturnType<typeof activeExitsInAccount>>[number];
const covers = (e: ExitRow, run: Pick<StopRunRow, "runId" | "strategyId">) =>
  e.scope === "ACCOUNT" ||
  e.scope === "OWNER" ||
  e.scope === "ALL" ||
  (e.scope === "STRATEGY" ? e.strategyId !== null && e.strategyId === run.strategyId : e.runId === run.runId);

function rulesOf(run: StopRunRow): RiskRules | null {
  if (run.mode !== "BROKER" || run.paused || run.rules === null) return null;
  const parsed = riskRulesSchema.safeParse(run.rules);
  if (!parsed.success) log().warn({ runId: run.runId, issues: parsed.error.issues }, "unreadable run risk rules");
  return parsed.success ? parsed.data : null;
}

const liveStop = (i: StopIntent): LiveStop => ({
  kind: stopKindOf(i.legIndex),
  priceType: i.priceType,
  level: (i.triggerPrice ?? i.price)!,
  remaining: i.quantity - i.filledQuantity,
});

const REFUSED: ReadonlySet<string> = new Set(["rejected", "rejected_late", "skipped"]);

/** Whether the last generation's stops were all refused unfilled and were these very orders. */
function refusedBefore(last: readonly StopIntent[], orders: ReturnType<typeof desiredStops>["orders"]): boolean {
  if (last.length === 0 || !last.every((i) => REFUSED.has(i.state) && i.filledQuantity === 0)) return false;
  return stopsMatch(
    orders,
    last.map((i) => ({ ...liveStop(i), remaining: i.quantity })),
  );
}

/** One pass (see the file comment). */
export async function stopsPass(accountId: string, clock: TradingClock): Promise<PassResult> {
  const out: PassResult = { placed: [], cancelled: 0, fired: 0, again: false, recheck: false, warnings: [] };
  const now = clock.now;
  const runs = await stopRunsOfAccount(accountId, new Date(now.getTime() - STOP_WATCH_DAYS * 86_400_000));
  const account = await loadAccountSecret(accountId);
  if (runs.length === 0 || !account) return out;
  const runIds = runs.map((r) => r.runId);
  out.fired = await recordFilledStops(accountId, runIds);
  const [entries, stops, exits, ledger, settings] = await Promise.all([
    entryLegsOf(accountId, runIds),
    stopIntentsOf(accountId, runIds),
    activeExitsInAccount(accountId),
    ledgerPositions({ accountIds: [accountId] }, "run"),
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
  const lapsedIds = new Set(lapsed.map((i) => i.id));

  const toSkip: IntentChange[] = [];
  const toCancel: StopIntent[] = [];
  for (const run of runs) {
    const rules = rulesOf(run);
    const covered = exits.some((e) => covers(e, run));
    const planLegs = planLegsSchema.safeParse(run.legs);
    const runStops = stops.filter((i) => i.protectsRunId === run.runId && !lapsedIds.has(i.id));
    const legIndexes = new Set([
      ...(rules?.legs.filter((l) => l.stopLoss || l.takeProfit).map((l) => l.legIndex) ?? []),
      ...runStops.filter(isLive).map((i) => i.protectedLeg),
    ]);
    for (const legIndex of legIndexes) {
      const entry = entries.find((e) => e.runId === run.runId && e.legIndex === legIndex);
      const planLeg = planLegs.success ? planLegs.data.find((l) => l.legIndex === legIndex) : undefined;
      const legStops = runStops.filter((i) => i.protectedLeg === legIndex);
      const live = legStops.filter(isLive);
      // The exit cancels these stops itself before it sends. Once it is done, what is left gets its stops: looked at
      // again shortly while the exit works, by the sweep when it keeps failing.
      if (covered) {
        out.recheck ||= exits.some((e) => e.status === "PENDING" && covers(e, run));
        continue;
      }
      let orders: ReturnType<typeof desiredStops>["orders"] = [];
      let leg: HeldLeg | null = null;
      if (entry && planLeg && rules) {
        const shared = entries.filter(
          (e) => e.runId === run.runId && e.symbol === entry.symbol && e.product === entry.product,
        );
        const p = ledger.find(
          (x) =>
            x.scope.runId === run.runId &&
            x.symbol === entry.symbol &&
            x.exchange === entry.exchange &&
            x.product === entry.product,
        );
        const net = p?.netQty ?? 0;
        leg = {
          legIndex,
          symbol: entry.symbol,
          exchange: entry.exchange,
          product: entry.product as HeldLeg["product"],
          action: entry.action,
          lotSize: planLeg.lotSize,
          freezeQty: planLeg.freezeQty,
          tickSize: instrumentSettingsFor(planLeg.underlying, settings.instruments)?.tickSize ?? 0.05,
          held: entry.action === "SELL" ? Math.max(0, -net) : Math.max(0, net),
          average: p?.avgPrice ?? null,
        };
        if (shared.length > 1) {
          // Two legs of one run in one contract share one ledger position: no stop can say whose units it closes.
          out.warnings.push(`leg ${legIndex + 1}: shares its contract with another leg of the run; no stop placed`);
        } else {
          const d = desiredStops(
            leg,
            rules.legs.find((l) => l.legIndex === legIndex),
          );
          orders = d.orders;
          out.warnings.push(...d.warnings);
        }
      }
      if (stopsMatch(orders, live.map(liveStop))) continue;
      if (live.length > 0) {
        for (const i of live) {
          if (UNSENT.has(i.state))
            toSkip.push({
              row: i,
              events: [{ type: "skip", at: now.getTime(), reason: "stop replaced or no longer needed" }],
            });
          else if (SENT_ORDER.has(i.state) && i.brokerOrderId) toCancel.push(i);
          // Claimed, sending or unknown: being sent (or reconciled) right now; cancelled once its outcome is known.
          else out.recheck = true;
        }
        continue;
      }
      if (orders.length === 0 || !leg) continue;
      if (!clock.alwaysOpen && !(await inSession(leg.exchange, now))) continue;
      const generation = Math.max(0, ...legStops.map((i) => i.generation)) + 1;
      if (
        refusedBefore(
          legStops.filter((i) => i.generation === generation - 1),
          orders,
        )
      ) {
        // The same stops were refused (or never sent) last time: sending them again would only be refused again.
        out.warnings.push(
          `leg ${legIndex + 1}: its stops were refused by the broker; not placed again until they change`,
        );
        continue;
      }
      const placed = await place(run, account, leg, orders, generation, now);
      if (placed) out.placed.push(placed);
      else out.recheck = true;
    }
  }
  out.again = toSkip.length + toCancel.length > 0;
  if (toSkip.length > 0) out.cancelled += (await applyIntentChanges(toSkip)).size;
  if (toCancel.length > 0) {
    // The books say what became of each: cancelled, or filled just before (then the ledger shows it next pass).
    const { cancelled } = await cancelIntentOrders(toCancel, "stop replaced or no longer needed", { record: false });
    out.cancelled += cancelled.length;
    await syncAccountFills(accountId);
  }
  return out;
}

/** Stores the leg's new stops as a STOP_ORDERS run; null when an exit began meanwhile or entries are blocked. */
async function place(
  run: StopRunRow,
  account: { id: string; name: string },
  leg: HeldLeg,
  orders: ReturnType<typeof desiredStops>["orders"],
  generation: number,
  now: Date,
): Promise<string | null> {
  const meta = { protectsRunId: run.runId, accountId: account.id, legIndex: leg.legIndex, generation };
  try {
    const { runId } = await createRun({
      ownerId: run.ownerId,
      strategyId: run.strategyId,
      kind: "STOP_ORDERS",
      protectsRunId: run.runId,
      idempotencyKey: `stops:${run.runId}:${account.id}:${leg.legIndex}:${generation}`,
      triggeredAt: now,
      preview: stopRunPreview(meta, account.name, leg, orders),
      // Inside the run's transaction: an exit that began since this pass read the exits wins, nothing is stored.
      andThen: async (tx) => {
        if ((await activeExitsInAccount(account.id, tx)).some((e) => covers(e, run)))
          throw new ConflictError("an exit of this run is at work: its stops are not placed");
      },
    });
    return runId;
  } catch (e) {
    if (!(e instanceof ConflictError || e instanceof KillSwitchError)) throw e;
    log().info({ runId: run.runId, accountId: account.id, reason: e.message }, "leg stops not placed");
    return null;
  }
}
