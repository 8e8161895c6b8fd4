/**
 * One simulated trading account: orders, trades, positions, holdings and the margin they block.
 * Rupee arithmetic is decimal.js throughout; quantities are integers. Every lookup on the order path is a Map hit
 * and margin is recomputed only for the group an order touches, so placing an order stays O(group size).
 */
import Decimal from "decimal.js";
import type { Exchange, Instrument } from "@/lib/simulator/types";
import { groupMargin, marginGroupKey, type MarginLeg, type MarginTable } from "./margin";

export type Action = "BUY" | "SELL";
export type Product = "MIS" | "NRML" | "CNC";
export type PriceType = "MARKET" | "LIMIT" | "SL" | "SL-M";
export type OrderStatus = "open" | "trigger pending" | "complete" | "cancelled" | "rejected";

export interface Order {
  orderid: string;
  via: string;
  strategy: string;
  inst: Instrument;
  action: Action;
  quantity: number;
  product: Product;
  pricetype: PriceType;
  /** Limit price (LIMIT/SL); zero for MARKET/SL-M. */
  price: Decimal;
  triggerPrice: Decimal;
  /** Price used for margin while working, and shown as `price` of sandbox MARKET rows. */
  refPrice: Decimal;
  status: OrderStatus;
  filled: number;
  /** Σ filled qty × fill price. */
  fillValue: Decimal;
  rejectionReason: string;
  /** Simulated epoch ms of acceptance. */
  createdAt: number;
  /** Quantity still counted in the position's working-order totals (0 once done). */
  working: number;
  /** A fault owns the order's next transition (late reject, flap, partial rest); matching leaves it alone. */
  held: boolean;
  /** Placed while the instance's book lags (fault `bookLagging`): absent from the order and trade books until released. */
  unlisted?: boolean;
}

export interface Position {
  key: string;
  inst: Instrument;
  product: Product;
  qty: number;
  avg: Decimal;
  /** Realised P&L of the current session. */
  realized: Decimal;
  buyQty: number;
  buyValue: Decimal;
  sellQty: number;
  sellValue: Decimal;
  groupKey: string;
}

export interface Trade {
  tradeid: string;
  order: Order;
  quantity: number;
  price: Decimal;
  ts: number;
}

export interface Holding {
  inst: Instrument;
  qty: number;
  avg: Decimal;
  /** IST date the delivery settled (`YYYY-MM-DD`). */
  settledOn: string;
}

interface Group {
  legs: Set<Position>;
  margin: Decimal;
}

const ZERO = new Decimal(0);

export function positionKey(symbol: string, exchange: Exchange | string, product: string): string {
  return `${symbol}|${exchange}|${product}`;
}

export function avgPrice(o: Order): Decimal {
  return o.filled > 0 ? o.fillValue.div(o.filled) : ZERO;
}

export class Account {
  /** Cash of earlier sessions (starting capital ± settled P&L). */
  cash: Decimal;
  orders: Order[] = [];
  readonly byId = new Map<string, Order>();
  /** Index in `orders` / `trades` where the current session starts (books show only the session). */
  sessionOrderStart = 0;
  trades: Trade[] = [];
  sessionTradeStart = 0;
  readonly positions = new Map<string, Position>();
  readonly holdings = new Map<string, Holding>();
  private readonly groups = new Map<string, Group>();
  /** Σ group margins, kept in step with `groups`. */
  utilised = ZERO;
  /** Orders in `open` / `trigger pending`, for cancelall and closeposition without scanning the book. */
  readonly working = new Set<Order>();

  constructor(
    readonly capital: Decimal,
    private readonly table: MarginTable,
  ) {
    this.cash = capital;
  }

  /** Realised P&L of the current session, Σ position.realized, kept in step by `fill` and `roll`. */
  private realized = ZERO;

  realizedToday(): Decimal {
    return this.realized;
  }

  /** Cash free for new orders: earlier cash + today's realised P&L − blocked margin. */
  available(): Decimal {
    return this.cash.plus(this.realizedToday()).minus(this.utilised);
  }

  position(inst: Instrument, product: Product): Position {
    const key = positionKey(inst.symbol, inst.exchange, product);
    let p = this.positions.get(key);
    if (!p) {
      p = {
        key,
        inst,
        product,
        qty: 0,
        avg: ZERO,
        realized: ZERO,
        buyQty: 0,
        buyValue: ZERO,
        sellQty: 0,
        sellValue: ZERO,
        groupKey: marginGroupKey(inst, product),
      };
      this.positions.set(key, p);
      this.group(p.groupKey).legs.add(p);
    }
    return p;
  }

  private group(key: string): Group {
    let g = this.groups.get(key);
    if (!g) {
      g = { legs: new Set(), margin: ZERO };
      this.groups.set(key, g);
    }
    return g;
  }

  /** Margin the group of `p` would block with an extra working order of `qty` at `ref` (what-if, no change). */
  marginWith(
    p: Position,
    action: Action,
    qty: number,
    ref: Decimal,
    nowMs: number,
  ): { before: Decimal; after: Decimal } {
    const g = this.group(p.groupKey);
    const legs: MarginLeg[] = [];
    for (const l of g.legs) {
      if (l !== p) legs.push(l);
      else if (action === "BUY") legs.push({ ...l, buyQty: l.buyQty + qty, buyValue: l.buyValue.plus(ref.mul(qty)) });
      else legs.push({ ...l, sellQty: l.sellQty + qty, sellValue: l.sellValue.plus(ref.mul(qty)) });
    }
    return { before: g.margin, after: groupMargin(legs, nowMs, this.table) };
  }

  /** Recomputes the margin of `p`'s group after a change. */
  remargin(p: Position, nowMs: number): void {
    const g = this.group(p.groupKey);
    const next = groupMargin([...g.legs], nowMs, this.table);
    this.utilised = this.utilised.minus(g.margin).plus(next);
    g.margin = next;
  }

  /** Recomputes every group (after a session roll changed positions wholesale). */
  remarginAll(nowMs: number): void {
    this.utilised = ZERO;
    for (const g of this.groups.values()) {
      g.margin = groupMargin([...g.legs], nowMs, this.table);
      this.utilised = this.utilised.plus(g.margin);
    }
  }

  addOrder(o: Order): void {
    this.orders.push(o);
    this.byId.set(o.orderid, o);
  }

  /** Counts an order's unfilled quantity in its position's working totals. */
  startWorking(o: Order, p: Position): void {
    o.working = o.quantity - o.filled;
    if (o.action === "BUY") {
      p.buyQty += o.working;
      p.buyValue = p.buyValue.plus(o.refPrice.mul(o.working));
    } else {
      p.sellQty += o.working;
      p.sellValue = p.sellValue.plus(o.refPrice.mul(o.working));
    }
    this.working.add(o);
  }

  /** Removes `qty` of an order's working quantity from its position's totals. */
  stopWorking(o: Order, p: Position, qty: number = o.working): void {
    const q = Math.min(qty, o.working);
    if (q <= 0) {
      if (o.working === 0) this.working.delete(o);
      return;
    }
    if (o.action === "BUY") {
      p.buyQty -= q;
      p.buyValue = p.buyQty === 0 ? ZERO : p.buyValue.minus(o.refPrice.mul(q));
    } else {
      p.sellQty -= q;
      p.sellValue = p.sellQty === 0 ? ZERO : p.sellValue.minus(o.refPrice.mul(q));
    }
    o.working -= q;
    if (o.working === 0) this.working.delete(o);
  }

  /** Applies a fill to the order and its position (average price, realised P&L) and records the trade. */
  fill(o: Order, qty: number, price: Decimal, ts: number, tradeid: string): Trade {
    const p = this.position(o.inst, o.product);
    this.stopWorking(o, p, qty);
    o.filled += qty;
    o.fillValue = o.fillValue.plus(price.mul(qty));
    const signed = o.action === "BUY" ? qty : -qty;
    if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signed)) {
      // Adding to (or opening) a position: weighted average.
      const total = Math.abs(p.qty) + qty;
      p.avg = p.avg.mul(Math.abs(p.qty)).plus(price.mul(qty)).div(total);
      p.qty += signed;
    } else {
      const closing = Math.min(Math.abs(p.qty), qty);
      const perUnit = p.qty > 0 ? price.minus(p.avg) : p.avg.minus(price);
      p.realized = p.realized.plus(perUnit.mul(closing));
      this.realized = this.realized.plus(perUnit.mul(closing));
      const rest = qty - closing;
      p.qty += signed;
      if (p.qty === 0) p.avg = ZERO;
      else if (rest > 0) p.avg = price; // reversed through zero: the new side opens at this fill.
    }
    const t: Trade = { tradeid, order: o, quantity: qty, price, ts };
    this.trades.push(t);
    return t;
  }

  /** Session roll (03:00 IST): settle the day and expired contracts, keep NRML, move CNC longs to holdings. */
  roll(settle: (inst: Instrument) => Decimal | undefined, todayIst: string, nowMs: number): void {
    for (const p of [...this.positions.values()]) {
      let realized = p.realized;
      const expired = p.inst.expiryTs !== null && p.inst.expiryTs <= nowMs;
      if ((p.product === "MIS" || expired) && p.qty !== 0) {
        // Intraday positions still open at the roll are squared off, and expired contracts settle, at the last price.
        const px = settle(p.inst) ?? p.avg;
        realized = realized.plus((p.qty > 0 ? px.minus(p.avg) : p.avg.minus(px)).mul(Math.abs(p.qty)));
        p.qty = 0;
      }
      if (p.product === "CNC" && p.qty > 0) {
        const h = this.holdings.get(p.inst.symbol + "|" + p.inst.exchange);
        if (h) {
          h.avg = h.avg
            .mul(h.qty)
            .plus(p.avg.mul(p.qty))
            .div(h.qty + p.qty);
          h.qty += p.qty;
        } else
          this.holdings.set(p.inst.symbol + "|" + p.inst.exchange, {
            inst: p.inst,
            qty: p.qty,
            avg: p.avg,
            settledOn: todayIst,
          });
        p.qty = 0;
      } else if (p.product === "CNC" && p.qty < 0) {
        this.reduceHolding(p.inst, -p.qty);
        p.qty = 0;
      }
      this.cash = this.cash.plus(realized);
      p.realized = ZERO;
      if (p.qty === 0 && p.buyQty === 0 && p.sellQty === 0) {
        this.positions.delete(p.key);
        this.group(p.groupKey).legs.delete(p);
      }
    }
    this.realized = ZERO;
    this.sessionOrderStart = this.orders.length;
    this.sessionTradeStart = this.trades.length;
    this.remarginAll(nowMs);
  }

  /** CNC sells of delivered shares reduce holdings at the roll. */
  private reduceHolding(inst: Instrument, qty: number): void {
    const key = inst.symbol + "|" + inst.exchange;
    const h = this.holdings.get(key);
    if (!h) return;
    h.qty -= qty;
    if (h.qty <= 0) this.holdings.delete(key);
  }

  holdingQty(inst: Instrument): number {
    return this.holdings.get(inst.symbol + "|" + inst.exchange)?.qty ?? 0;
  }
}
