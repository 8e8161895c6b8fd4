/** JSON shapes the account APIs return (Decimals arrive as strings). */
export interface AccountJson {
  id: string;
  ownerId: string;
  name: string;
  kind: string;
  hostUrl: string;
  wsUrl: string;
  apiKeyLast4: string;
  isPrimary: boolean;
  active: boolean;
  tags: string[];
  lotMultiplier: string;
  maxLotsPerLeg: number | null;
  orderRatePerSec: number;
  otherRatePerSec: number;
  status: "UNKNOWN" | "CONNECTED" | "DEGRADED" | "FAILED";
  consecutiveFailures: number;
  lastOkAt: string | null;
  lastCheckedAt: string | null;
  lastError: string | null;
  brokerName: string | null;
  brokerMode: string | null;
}

export interface FundsJson {
  availableMargin: string;
  cash: string;
  collateral: string;
  utilised: string;
  realisedPnl: string;
  unrealisedPnl: string;
}

export interface OrderJson {
  orderId: string;
  symbol: string;
  exchange: string;
  action: "BUY" | "SELL";
  quantity: number;
  filledQuantity: number;
  pendingQuantity: number;
  price: string;
  triggerPrice: string;
  averagePrice: string | null;
  priceType: string;
  product: string;
  status: "open" | "trigger_pending" | "complete" | "rejected" | "cancelled";
  brokerStatus: string;
  rejectionReason: string | null;
  strategy: string | null;
  placedAt: string | null;
  brokerTimestamp: string;
}

export interface TradeJson {
  orderId: string;
  tradeId: string | null;
  symbol: string;
  exchange: string;
  action: "BUY" | "SELL";
  product: string;
  quantity: number;
  averagePrice: string;
  tradeValue: string;
  strategy: string | null;
  tradedAt: string | null;
  brokerTimestamp: string;
}

export interface PositionJson {
  symbol: string;
  exchange: string;
  product: string;
  quantity: number;
  averagePrice: string;
  ltp: string;
  pnl: string;
}

export interface HoldingJson {
  symbol: string;
  exchange: string;
  product: string;
  quantity: number;
  averagePrice: string | null;
  ltp: string | null;
  pnl: string;
  pnlPercent: string;
}

export type BookName = "funds" | "orders" | "trades" | "positions" | "holdings";

export type AccountSlice<T> =
  | { accountId: string; accountName: string; ok: true; data: T; fetchedAt: string }
  | { accountId: string; accountName: string; ok: false; error: { code: string; message: string } };

/** One verdict of "Test connection": the API and the WebSocket are judged separately. */
export type ConnectionVerdictJson =
  { ok: true; broker?: string; mode?: string } | { ok: false; reason: string; message: string };

/** `POST /api/accounts/test`: `ok` only when both the API and the WebSocket accept the key. */
export interface ConnectionTestJson {
  ok: boolean;
  api: ConnectionVerdictJson;
  ws: ConnectionVerdictJson;
}
