import type Decimal from "decimal.js";
import type { AccountPlan, PlannedLeg } from "@/lib/trading/plan-account";
import type { RunPreview } from "@/lib/trading/plan";
import type { ResolvedLeg } from "@/lib/trading/resolve-legs";

/** A server value as it arrives over JSON: Decimals and Dates become strings. */
export type Json<T> = T extends Decimal
  ? string
  : T extends Date
    ? string
    : T extends readonly (infer U)[]
      ? readonly Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

export type PreviewJson = Json<RunPreview>;
export type AccountPlanJson = Json<AccountPlan>;
export type PlannedLegJson = Json<PlannedLeg>;
export type ResolvedLegJson = Json<ResolvedLeg>;

export type RunStatus = "RUNNING" | "COMPLETED" | "PARTIAL" | "FAILED";
/** What a person is shown: WORKING until every order has ended at its broker (lib/trading/run-status.ts). */
export type DisplayRunStatus = "WORKING" | "COMPLETED" | "PARTIAL" | "FAILED" | "CANCELLED";
export type RunKind = "STRATEGY" | "ADJUSTMENT" | "TICKET" | "EXIT";

export type IntentStateName =
  | "planned"
  | "claimed"
  | "sending"
  | "accepted"
  | "rejected"
  | "unknown"
  | "reconciled_accepted"
  | "safe_to_resend"
  | "filled"
  | "partially_filled"
  | "cancelled"
  | "rejected_late"
  | "skipped"
  | "held";

export interface IntentJson {
  id: string;
  accountId: string;
  legIndex: number;
  sliceIndex: number;
  phase: number;
  symbol: string;
  action: string;
  quantity: number;
  state: IntentStateName;
  brokerOrderId: string | null;
  reason: string | null;
  sentAt: string | null;
  acknowledgedAt: string | null;
  filledQuantity: number;
  averagePrice: string | null;
  /** Browser bookkeeping: time of the last live event applied (orders stale events). */
  eventAt?: string;
}

export interface RunAccountJson {
  accountId: string;
  accountName: string;
  firstSendMs: number | null;
  lastAckMs: number | null;
}

export interface RunJson {
  id: string;
  kind: RunKind;
  status: RunStatus;
  /** As read; the run view recomputes it live from `status` and the intents. */
  displayStatus: DisplayRunStatus;
  triggeredAt: string;
  finishedAt: string | null;
  strategy: { id: string; name: string } | null;
  plan: PreviewJson;
  intents: IntentJson[];
  accounts: RunAccountJson[];
  /** Browser bookkeeping: time of the last run-status event applied. */
  statusAt?: string;
}

export interface RunListItemJson {
  id: string;
  kind: RunKind;
  status: RunStatus;
  displayStatus: DisplayRunStatus;
  triggeredAt: string;
  finishedAt: string | null;
  strategy: { id: string; name: string } | null;
  /** Orders (intents) in the run. */
  orders: number;
}

/** What the browser receives on /api/runs/{id}/events (lib/realtime/run-events.ts). */
export type RunEventJson =
  | {
      type: "intent";
      runId: string;
      intentId: string;
      accountId: string;
      legIndex: number;
      sliceIndex: number;
      state: IntentStateName;
      brokerOrderId: string | null;
      filledQuantity: number;
      averagePrice: string | null;
      reason: string | null;
      at: string;
    }
  | { type: "run"; runId: string; status: RunStatus; at: string };
