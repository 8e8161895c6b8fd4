/**
 * The alert log as the strategy page and the strategy list read it (docs/webhooks.md "On the strategy page"): every
 * alert a strategy's webhook received, newest first, with what became of it (the run's status and fills, the exit's
 * status).
 */
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import { readableOwnerIds, scopeOf, type Actor } from "@/lib/auth/roles";
import { findLastSignals, findSignalPage, type SignalLogRow } from "@/lib/db/queries/signal-log";
import { findStrategyRow } from "@/lib/services/strategies";
import { jsonify, type Jsonified } from "@/lib/util/jsonify";

export const SIGNAL_VERDICTS = ["ACCEPTED", "DUPLICATE", "IGNORED", "REJECTED", "DRY_RUN"] as const;

export const signalLogQuerySchema = z.object({
  q: z.string().trim().max(200, "At most 200 characters").optional(),
  verdict: z.enum(SIGNAL_VERDICTS, `One of ${SIGNAL_VERDICTS.join(", ")}`).optional(),
  before: z.uuid("Not an alert id").optional(),
  limit: z.coerce.number().int().min(1, "At least 1").max(200, "At most 200").default(50),
});
export type SignalLogQuery = z.infer<typeof signalLogQuerySchema>;

export type SignalLogItem = Omit<SignalLogRow, "runQuantity" | "runFilled" | "runSlices" | "runSlicesFilled"> & {
  /** The entry run's fill progress over all its slices; null when the alert made no run (or it is not planned yet). */
  fills: { quantity: number; filled: number; slices: number; slicesFilled: number } | null;
};
export type SignalLogItemJson = Jsonified<SignalLogItem>;
export interface SignalLogPage {
  signals: SignalLogItemJson[];
  /** Pass as `before` for the next (older) page; null when this page is the last. */
  nextBefore: string | null;
}

function toItem(r: SignalLogRow): SignalLogItem {
  const { runQuantity, runFilled, runSlices, runSlicesFilled, ...rest } = r;
  const fills =
    runSlices === null
      ? null
      : { quantity: runQuantity ?? 0, filled: runFilled ?? 0, slices: runSlices, slicesFilled: runSlicesFilled ?? 0 };
  return { ...rest, fills };
}

export async function listSignals(actor: Actor, strategyId: string, query: SignalLogQuery): Promise<SignalLogPage> {
  const strategy = await findStrategyRow(actor, strategyId);
  authorize(actor, "strategy.read", { ownerId: strategy.ownerId, what: "Strategy" });
  const rows = await findSignalPage(strategyId, query);
  const signals = rows.map((r) => jsonify(toItem(r)));
  return { signals, nextBefore: rows.length === query.limit ? rows[rows.length - 1].id : null };
}

export interface LastSignal {
  id: string;
  receivedAt: string;
  verdict: (typeof SIGNAL_VERDICTS)[number];
  action: string | null;
  status: number;
}

/** The newest alert of each strategy the actor may read (or of `strategyIds` among them), by strategy id; one query. */
export async function lastSignals(actor: Actor, strategyIds?: string[]): Promise<Record<string, LastSignal>> {
  const rows = await findLastSignals(readableOwnerIds(scopeOf(actor)), strategyIds ?? null);
  return Object.fromEntries(
    rows.map((r) => [
      r.strategyId,
      { id: r.id, receivedAt: r.receivedAt.toISOString(), verdict: r.verdict, action: r.action, status: r.status },
    ]),
  );
}
