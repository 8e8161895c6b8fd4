/** JSON shapes of the exits and kill-switch API (app/api/exits, app/api/kill-switch, app/api/positions/ledger). */
export interface KillSwitchJson {
  scope: "global" | "owner";
  ownerId: string | null;
  ownerName: string | null;
  engagedAt: string;
  engagedBy: string;
  reason: string | null;
  exitId: string | null;
  /** What the switch's exit has confirmed so far (flat = the broker's positions read flat), with a sentence saying so. */
  flatten: {
    state: "flattening" | "flat" | "failing" | "unknown";
    accounts: number;
    flat: number;
    failing: number;
    text: string;
  };
}
export interface KillSwitchState {
  /** Entries are blocked for the signed-in user. */
  engaged: boolean;
  switches: KillSwitchJson[];
}

export type ExitStatus = "PENDING" | "DONE" | "FAILED";
export interface ExitJson {
  id: string;
  scope: string;
  reason: string;
  status: ExitStatus;
  createdAt: string;
  finishedAt: string | null;
  runIds: string[];
  accounts: { accountId: string; accountName: string; status: string; message: string | null }[];
}

export interface LedgerRowJson {
  strategyId: string | null;
  strategyName: string | null;
  runId?: string | null;
  accountId: string;
  accountName: string;
  symbol: string;
  exchange: string;
  product: string;
  netQty: number;
  avgPrice: string | null;
  ltp: string | null;
  realisedPnl: string;
  unrealisedPnl: string | null;
  /** Open in the ledger while the broker reports the contract flat. */
  closedOutside: boolean;
}

export type ExitRequest =
  | { scope: "run"; runId: string }
  | { scope: "strategy"; strategyId: string }
  | { scope: "account"; accountId: string }
  | { scope: "excess"; runId: string; accountId: string; legIndex: number };
