/**
 * Hand-on (docs/copy-trading.md "Events, runs and exactly once"): the group's PENDING events become ONE COPY run —
 * per contract one leg carrying its FILL and SYNC events (each child's order the net of its shares), a leg per PLACE
 * event (./run-legs) — and are marked SENT with their leg in the run's own transaction, unless copy orders still in
 * flight forbid it (only same-side fills and syncs may follow them). MODIFY and CANCEL events are applied to the
 * children's working orders (./orders-mode) once the orders before them are out.
 */
import { createHash } from "node:crypto";
import Decimal from "decimal.js";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import type { ScanGroup } from "@/lib/db/queries/copy-engine";
import {
  closePendingEvents,
  copySidesInFlight,
  listPendingEvents,
  markEventsSent,
  type PendingEvent,
} from "@/lib/db/queries/copy-events";
import { KillSwitchError } from "@/lib/errors";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/services/broker-access";
import { createRun } from "@/lib/services/runs";
import { sidesAgree } from "@/lib/trading/copy/combine";
import { copyContractKey, type ContractSizes } from "@/lib/trading/copy/types";
import type { AccountPlan } from "@/lib/trading/plan-account";
import { runTotals } from "@/lib/trading/plan";
import { contractSizesFor, exitAdjustments, exposureBook } from "./exposure";
import { mirrorChange } from "./orders-mode";
import { planRunLegs } from "./run-legs";

export type HandOnResult = { runId: string | null; sent: number; waiting: boolean };

/** A UUID (v4 layout) derived from `text`: the same events always name the same run. */
function uuidFrom(text: string): string {
  const h = createHash("sha256").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The events before the first MODIFY/CANCEL that has orders in front of it; those are applied first when at the head. */
async function applyLeadingChanges(events: PendingEvent[]): Promise<PendingEvent[]> {
  let i = 0;
  while (i < events.length && (events[i].kind === "MODIFY" || events[i].kind === "CANCEL")) {
    await mirrorChange(events[i].id).catch(async (err) => {
      log().warn({ err, eventId: events[i].id }, "copy change not applied");
      await closePendingEvents([events[i].id], "FAILED", err instanceof Error ? err.message : String(err));
    });
    i += 1;
  }
  const rest = events.slice(i);
  const stop = rest.findIndex((e) => e.kind === "MODIFY" || e.kind === "CANCEL");
  return stop < 0 ? rest : rest.slice(0, stop);
}

/**
 * Hands the group's PENDING events on. While some of its copy orders are still unacknowledged it waits (does nothing)
 * unless the events are fills and syncs whose child orders are all on the side of each child's orders in flight.
 */
export async function handOnEvents(group: ScanGroup): Promise<HandOnResult> {
  // Both reads at once: they are on every copy's path.
  const [pending, inFlight] = await Promise.all([listPendingEvents(group.id), copySidesInFlight(group.id)]);
  let events = pending;
  if (events.length === 0) return { runId: null, sent: 0, waiting: false };
  if (!group.enabled) {
    await closePendingEvents(
      events.map((e) => e.id),
      "SKIPPED",
      "group paused",
    );
    return { runId: null, sent: 0, waiting: false };
  }
  // While copy orders are in flight only fills and syncs may follow them, and only on the same side (below).
  const waiting = { runId: null, sent: 0, waiting: true };
  if (inFlight.length > 0 && events.some((e) => e.kind !== "FILL" && e.kind !== "SYNC")) return waiting;
  events = await applyLeadingChanges(events);
  if (events.length === 0) return { runId: null, sent: 0, waiting: false };
  // Closes are cut to what each child holds now (lib/trading/copy/sizing.ts clampClose), legs before them included.
  const held = events.some((e) => e.children.some((c) => (c.closes ?? 0) > 0))
    ? await exposureBook(group.id, await exitAdjustments(group), undefined, false)
    : null;
  const sizes = await sizesOf(group, events);
  const { legs, plans, marks, failed, skipped, refused } = planRunLegs(group, events, sizes, held);
  const planned = [...plans].flatMap(([accountId, l]) => l.map((leg) => ({ accountId, action: leg.action })));
  if (inFlight.length > 0 && !sidesAgree(planned, inFlight)) return waiting;
  for (const r of refused) log().error({ groupId: group.id, ...r }, "combined copy order refused");
  for (const f of failed) await closePendingEvents([f.id], "FAILED", f.reason);
  for (const k of skipped) await closePendingEvents([k.id], "SKIPPED", k.reason);
  if (marks.length === 0) return { runId: null, sent: 0, waiting: false };
  const names = new Map(group.children.map((c) => [c.accountId, c.accountName]));
  const accounts: AccountPlan[] = [...plans].map(([accountId, planned]) => ({
    status: "planned",
    accountId,
    accountName: names.get(accountId) ?? accountId,
    legs: planned,
    marginSource: "available",
    marginAvailable: new Decimal(0),
    marginNeeded: new Decimal(0),
    warnings: [],
  }));
  const ids = marks.map((m) => m.id).join(",");
  const runId = uuidFrom(`copy-run:${group.id}:${ids}`);
  try {
    await createRun({
      runId,
      ownerId: group.ownerId,
      strategyId: null,
      kind: "COPY",
      idempotencyKey: `copy:${group.id}:${runId}`,
      triggeredAt: new Date(),
      preview: { legs, conditions: {}, accounts, totals: runTotals(accounts) },
      copyGroupId: group.id,
      andThen: (tx) => markEventsSent(tx, runId, marks),
    });
  } catch (err) {
    if (!(err instanceof KillSwitchError)) throw err;
    await closePendingEvents(
      marks.map((m) => m.id),
      "BLOCKED",
      err.message,
    );
    return { runId: null, sent: 0, waiting: false };
  }
  return { runId, sent: marks.length, waiting: false };
}

async function sizesOf(group: ScanGroup, events: readonly PendingEvent[]): Promise<Map<string, ContractSizes>> {
  const account = await loadAccountSecret(group.masterAccountId);
  if (!account) return new Map();
  const unique = new Map(
    events.map((e) => [copyContractKey(e), { symbol: e.symbol, exchange: e.exchange, product: e.product }]),
  );
  return contractSizesFor(group, adapterFor(account), [...unique.values()]);
}
