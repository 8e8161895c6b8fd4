/**
 * Copy groups' pure vocabulary (docs/copy-trading.md). No I/O, no clock: the engine (lib/services/copy) passes in
 * the group, its children, the master's books and the children's exposures.
 */
import type Decimal from "decimal.js";

export type CopyMode = "FILLS" | "ORDERS";
export type CopyRounding = "DOWN" | "NEAREST" | "UP";
export type CopyEventKind = "FILL" | "PLACE" | "MODIFY" | "CANCEL" | "SYNC";
export type Side = "BUY" | "SELL";

/** How one child follows the master (a `copy_children` row). */
export interface CopyChildRule {
  accountId: string;
  accountName: string;
  multiplier: Decimal;
  rounding: CopyRounding;
  /** 0 lots after rounding: skip (false) or raise to 1 lot (true). */
  minOneLot: boolean;
  enabled: boolean;
  maxLotsPerOrder: number | null;
  maxOpenLots: number | null;
  reverse: boolean;
}

/** What a group copies (a `copy_groups` row's filters). */
export interface CopyFilters {
  exchanges: readonly string[];
  /** Empty = every product. */
  products: readonly string[];
  allowSymbols: readonly string[];
  denySymbols: readonly string[];
  /** "HH:MM" Asia/Kolkata, or null for the session's own bounds. */
  windowStart: string | null;
  windowEnd: string | null;
}

/** One contract in one product: positions and exposures are kept per this key. */
export interface CopyContract {
  symbol: string;
  exchange: string;
  product: string;
}
export const copyContractKey = (c: CopyContract) => `${c.exchange}|${c.symbol}|${c.product}`;

/** The contract's sizes when an event is planned (lot size; freeze quantity for slicing, null when unknown). */
export interface ContractSizes {
  lotSize: number;
  freezeQty: number | null;
}

/** One child's share of one event: an order (units, a lot multiple) or nothing, with the reason either way. */
export interface ChildOrder {
  accountId: string;
  action: Side;
  /** Units; 0 when the child gets nothing (then `reason` says why). */
  quantity: number;
  /** Why nothing, or what cut it ("cut to max 5 lots per order"); null when the plain share was sent. */
  reason: string | null;
  /** Units of `quantity` that reduce the child's own position (FILL and SYNC sizing); absent: none known. */
  closes?: number;
}

/**
 * The signature of the copy event that carries a leg: intent ids of the children's orders derive from it and the
 * child (lib/trading/intents.ts), so they are the same whichever run carries the event.
 */
export const copyIntentKey = (groupId: string, masterOrderId: string, seq: number) =>
  `copy:${groupId}:${masterOrderId}:${seq}`;
