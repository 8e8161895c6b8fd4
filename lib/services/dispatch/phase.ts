/**
 * One phase of an account's dispatch (BUY or SELL): claim, send, reconcile, repeat until nothing is left to do.
 * The entry module (index.ts) runs the phases in order and gates the SELL phase on the BUY phase.
 */
import type { BrokerAdapter } from "@/lib/brokers/types";
import { raiseAlert } from "@/lib/db/queries/alerts";
import { insertAudit } from "@/lib/db/queries/audit";
import { inTransaction } from "@/lib/db/transaction";
import { log } from "@/lib/log";
import { type IntentRow, listAccountIntents } from "@/lib/db/queries/intents";
import { sleep } from "@/lib/util/sleep";
import { entriesBlockedReason, formatIstDateTime } from "@/lib/services/kill-switch";
import { applyIntentChanges } from "./intents";
import type { DispatchOptions } from "./options";
import { reconcileUnknown, type ReconcileResult } from "./reconcile";
import { placeSending } from "./send";

/** Every slice of `rows` not yet sent is skipped for good with `reason`, in one write; returns the ids skipped. */
export async function skipUnsent(rows: readonly IntentRow[], reason: string): Promise<string[]> {
  const at = Date.now();
  const unsent = rows.filter((r) => r.state === "planned" || r.state === "safe_to_resend" || r.state === "held");
  const written = await applyIntentChanges(
    unsent.map((row) => ({ row, events: [{ type: "skip", at, reason: `not sent: ${reason}` }] })),
  );
  return [...written.keys()];
}

/** Expired slices are shown to their owner (an alert on every page) and written to the audit log. */
export async function reportExpired(
  run: { id: string; ownerId: string; triggeredAt: Date },
  accountId: string,
  intentIds: string[],
  maxAgeMs: number,
): Promise<void> {
  const message = `${intentIds.length} order slice(s) of a run planned at ${formatIstDateTime(run.triggeredAt)} were not sent: they could not go out within ${Math.round(maxAgeMs / 60_000)} min of planning (expired). Check the run and the account's positions.`;
  log().warn({ runId: run.id, accountId, expired: intentIds.length }, "unsent slices expired");
  await inTransaction(async (tx) => {
    await raiseAlert(tx, { ownerId: run.ownerId, accountId, kind: "intents_expired", severity: "WARNING", message });
    await insertAudit(
      {
        action: "run.intents_expired",
        entity: "run",
        entityId: run.id,
        details: { accountId, intents: intentIds, plannedAt: run.triggeredAt.toISOString(), maxAgeMs },
      },
      tx,
    );
  }).catch((err) => log().error({ err, runId: run.id }, "expired slices not reported"));
}

/** Held SELL slices back to `planned` (the rows as written; the others unchanged). */
export async function resumeHeld(sells: IntentRow[]): Promise<IntentRow[]> {
  const at = Date.now();
  const resumed = await applyIntentChanges(
    sells.filter((r) => r.state === "held").map((row) => ({ row, events: [{ type: "resume", at }] })),
  );
  return sells.map((r) => resumed.get(r.id) ?? r);
}

export interface PhaseContext {
  runId: string;
  accountId: string;
  workerId: string;
  adapter: BrokerAdapter;
  opts: DispatchOptions;
  cap(row: IntentRow): number;
  linkSince: Date;
  stuck: ReconcileResult["stuck"];
  /** The owner of an entry run (its slices honour the kill switch); null for an exit run. */
  entryOwner: string | null;
  /** Epoch ms after which unsent slices expire instead of being sent (null: never, a person's retry). */
  expiresAt: number | null;
  /** Slices this dispatch expired. */
  expired: string[];
}

/**
 * One phase: claim what is claimable (planned, or safe to resend with sends left), send it, reconcile unknown
 * outcomes until each is adopted or safe to resend, and repeat until nothing is left to do. Returns the phase's rows.
 */
export async function runPhase(ctx: PhaseContext, phase: 1 | 2, known: IntentRow[]): Promise<IntentRow[]> {
  const { opts } = ctx;
  const stuck = new Set<string>();
  // Bounded even when the order book stays unreadable: the intents stay `unknown` and recovery comes back to them.
  const deadline =
    Date.now() + (opts.reconcileWindowMs + 5 * opts.pollIntervalMs) * (opts.maxAttempts + 1) * 4 + 60_000;
  let rows = known;
  let fresh = true;
  for (;;) {
    if (!fresh) rows = (await listAccountIntents(ctx.runId, ctx.accountId)).filter((r) => r.phase === phase);
    fresh = false;
    const claimable = rows.filter(
      (r) => r.state === "planned" || (r.state === "safe_to_resend" && r.attempts < ctx.cap(r)),
    );
    if (claimable.length > 0 && ctx.expiresAt !== null && Date.now() > ctx.expiresAt) {
      const reason = `expired: planned at ${formatIstDateTime(new Date(ctx.expiresAt - opts.maxIntentAgeMs))}, more than ${Math.round(opts.maxIntentAgeMs / 1000)} s before it could be sent`;
      const all = await listAccountIntents(ctx.runId, ctx.accountId);
      ctx.expired.push(...(await skipUnsent(all, reason)));
      continue;
    }
    if (claimable.length > 0) {
      // Claim and `sending` in one compare-and-set write per row (from planned / safe_to_resend): a row another worker
      // took first is simply not written, and nothing is sent for it. `sending` is stored before the broker call.
      const at = Date.now();
      const sending = await applyIntentChanges(
        claimable.map((row) => ({
          row,
          events: [
            { type: "claim", at, workerId: ctx.workerId },
            { type: "send", at },
          ],
        })),
      );
      // Read after the claim is stored: a kill switch committed before this read stops the send; one committed after
      // it finds the slices `sending`, and its exit waits for them and flattens what they filled.
      const blocked = ctx.entryOwner && sending.size > 0 ? await entriesBlockedReason(ctx.entryOwner) : null;
      if (blocked) {
        const stopped = Date.now();
        await applyIntentChanges(
          [...sending.values()].map((row) => ({
            row,
            expectClaimedBy: ctx.workerId,
            events: [
              { type: "not_placed", at: stopped, reason: blocked },
              { type: "skip", at: stopped, reason: `not sent: ${blocked}` },
            ],
          })),
        );
        await skipUnsent(await listAccountIntents(ctx.runId, ctx.accountId), blocked);
        continue;
      }
      const done = await placeSending(ctx.adapter, [...sending.values()], ctx.workerId, opts);
      // Everything written as computed: the rows in hand are the stored ones, no need to read them back.
      if (sending.size === claimable.length && done.size === sending.size) {
        rows = rows.map((r) => done.get(r.id) ?? r);
        fresh = true;
      }
      continue;
    }
    const unknowns = rows.filter((r) => r.state === "unknown" && !stuck.has(r.id));
    if (unknowns.length === 0) return rows;
    if (Date.now() > deadline) {
      for (const r of unknowns) {
        stuck.add(r.id);
        ctx.stuck.push({ intentId: r.id, reason: "the order book could not be read to confirm the order" });
      }
      continue;
    }
    const res = await reconcileUnknown(ctx.adapter, ctx.accountId, unknowns, ctx.linkSince, opts);
    for (const s of res.stuck) {
      stuck.add(s.intentId);
      ctx.stuck.push(s);
    }
    if (res.settled === 0 && res.waiting > 0) await sleep(opts.pollIntervalMs);
  }
}
