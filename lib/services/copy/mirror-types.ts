/** ORDERS mode's mirroring: what one child's mirror needs and what it records (docs/copy-trading.md "ORDERS mode"). */
import type { ContractSizes } from "@/lib/trading/copy/types";
import type { MasterModification } from "@/lib/trading/copy/orders";

/**
 * What became of one child (stored in `copy_events.children`): `waiting` while one of its orders is still being
 * sent (the event stays PENDING), `noted` when nothing was left to change (filled, dead), `failed` with the broker's
 * reason when it refused.
 */
export type MirrorOutcome = "modified" | "cancelled" | "unchanged" | "noted" | "failed" | "waiting";

export interface MirroredSlice {
  intentId: string;
  brokerOrderId: string | null;
  did: "modified" | "cancelled" | "kept" | "skipped" | "done" | "failed";
  detail: string | null;
}

export interface MirroredChild {
  accountId: string;
  action: "BUY" | "SELL";
  /** The child's units of this order afterwards (filled plus still working). */
  quantity: number;
  reason: string | null;
  outcome: MirrorOutcome;
  slices: MirroredSlice[];
}

export interface MirrorContext {
  kind: "MODIFY" | "CANCEL";
  ownerId: string;
  change: MasterModification;
  sizes: ContractSizes;
  /** The copy run is still RUNNING: its unsent intents may yet be sent. */
  runActive: boolean;
  /** Why increases are refused now (the kill switch), or null. */
  increaseBlocked: string | null;
}
