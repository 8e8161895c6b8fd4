/**
 * The JSON the copy-group routes answer (money and prices as decimal strings, times as ISO UTC). The pages in
 * app/(app)/copy and components/copy render exactly these.
 */
export type CopyModeName = "FILLS" | "ORDERS";
export type CopyRoundingName = "DOWN" | "NEAREST" | "UP";
export type CopyEventStatusName = "PENDING" | "SENT" | "SKIPPED" | "BLOCKED" | "FAILED";

export interface CopyChildJson {
  accountId: string;
  accountName: string;
  /** Decimal string ("0.5"). */
  multiplier: string;
  rounding: CopyRoundingName;
  minOneLot: boolean;
  enabled: boolean;
  pausedReason: string | null;
  maxLotsPerOrder: number | null;
  maxOpenLots: number | null;
  reverse: boolean;
  /** The account's connection status (CONNECTED, DEGRADED, FAILED, UNKNOWN). */
  accountStatus: string;
}

export interface CopyGroupJson {
  id: string;
  ownerId: string;
  name: string;
  masterAccountId: string;
  masterAccountName: string;
  mode: CopyModeName;
  enabled: boolean;
  pausedReason: string | null;
  exchanges: string[];
  products: string[];
  allowSymbols: string[];
  denySymbols: string[];
  windowStart: string | null;
  windowEnd: string | null;
  startedAt: string;
  createdAt: string;
  updatedAt: string;
  children: CopyChildJson[];
  /** The latest event, for the list. */
  lastEvent: { id: string; kind: string; symbol: string; status: CopyEventStatusName; detectedAt: string } | null;
}

/**
 * What an ORDERS-mode MODIFY or CANCEL did to a child (lib/trading/copy/log-summary.ts childMirrorOutcome): its order
 * modified, cancelled, already as asked (`unchanged`), already filled or closed before the change, never placed
 * (`not_mirrored`), refused by the broker (`refused`, its text in `reason`) or still waiting for its order to be sent.
 */
export type CopyChildOutcomeName =
  "modified" | "cancelled" | "unchanged" | "already_filled" | "already_closed" | "not_mirrored" | "refused" | "waiting";

/** One child order of one event, as the log shows it. */
export interface CopyChildOrderJson {
  accountId: string;
  accountName: string;
  action: "BUY" | "SELL";
  /**
   * Units of the child's order as it stands (a later MODIFY may have changed it), or as planned before it is sent (0 =
   * nothing, see reason); MODIFY and CANCEL: the child's units of the order after the change.
   */
  quantity: number;
  reason: string | null;
  /** MODIFY and CANCEL (ORDERS mode): what the change did to the child's order; null for other kinds. */
  outcome: CopyChildOutcomeName | null;
  /** The broker's text for the child's order in its worst state (a rejection's message), null when there is none. */
  brokerReason: string | null;
  /** The child order's limit and trigger prices as they stand (LIMIT, SL, SL-M), decimal strings; null for MARKET. */
  price: string | null;
  triggerPrice: string | null;
  /** Worst state over the child's slices (planned … filled), null when nothing was sent. */
  state: string | null;
  filledQuantity: number;
  /** The broker's average over the child's filled slices, decimal string. */
  averagePrice: string | null;
  /** Detection → the child's last slice acknowledged by its broker, ms; null until then. */
  latencyMs: number | null;
  brokerOrderIds: string[];
  /**
   * When the child's order carried this event together with others of the same run and contract (one order, the net
   * of their shares): how many events it carried and the order itself. `state`, fills, price, latency and order ids
   * are then that order's, shared by those events. Quantity 0: the shares netted to zero and nothing was sent.
   */
  combined: { events: number; action: "BUY" | "SELL"; quantity: number } | null;
}

export interface CopyLogItemJson {
  id: string;
  masterOrderId: string;
  seq: number;
  kind: "FILL" | "PLACE" | "MODIFY" | "CANCEL" | "SYNC";
  symbol: string;
  exchange: string;
  product: string;
  action: "BUY" | "SELL";
  quantity: number;
  /** FILL: the master order's quantity, so a partial fill reads "65 of 260"; null for other kinds (and older events). */
  orderQuantity: number | null;
  priceType: string | null;
  price: string | null;
  triggerPrice: string | null;
  /**
   * MODIFY and CANCEL: the master order as it stood before this change (its PLACE or previous MODIFY event), so the log
   * reads old → new; null for other kinds or when that event was not recorded.
   */
  previous: { quantity: number; priceType: string | null; price: string | null; triggerPrice: string | null } | null;
  masterBefore: number | null;
  masterAfter: number | null;
  source: "stream" | "poll" | "sync";
  masterAt: string | null;
  detectedAt: string;
  status: CopyEventStatusName;
  reason: string | null;
  runId: string | null;
  children: CopyChildOrderJson[];
}

export interface CopyLogPageJson {
  items: CopyLogItemJson[];
  /** Keyset cursor for the next (older) page, null at the end. */
  nextCursor: string | null;
}

/** One contract of the drift board. */
export interface DriftRowJson {
  symbol: string;
  exchange: string;
  product: string;
  lotSize: number | null;
  /** The master's position as the group counts it, and the part the children never had. */
  masterQty: number;
  uncopiedQty: number;
  /**
   * ORDERS mode: units of the master's copied orders still working (signed); while they work, a child ahead of or
   * behind the master in filling is "working", not drifting. Always 0 in FILLS mode (fills are copied as they come).
   */
  masterWorkingQty: number;
  children: {
    accountId: string;
    accountName: string;
    /** The child's share: copied master position × multiplier, rounded (signed units; reversed for reverse). */
    expectedQty: number;
    /** Broker-confirmed position of the child in this group (signed units). */
    actualQty: number;
    /** Units of the child's copy orders still working (signed). */
    workingQty: number;
    /** expected − actual − working, signed units; 0 = at parity. */
    driftQty: number;
    state: "ok" | "working" | "drift";
  }[];
}

export interface DriftBoardJson {
  groupId: string;
  at: string;
  rows: DriftRowJson[];
}
