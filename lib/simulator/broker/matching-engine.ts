/**
 * Order lifecycle of the simulated broker: checks, margin, acceptance, matching against the market model's
 * quotes, resting orders woken by ticks, engine-level faults (late RMS rejection, flapping, partial fills) and
 * `order_update` events. Route handlers call `place`, `cancel` and `modify`; nothing here knows about HTTP.
 */
import Decimal from "decimal.js";
import type { Exchange, Instrument, MarketView, Quote } from "@/lib/simulator/types";
import type { Action, Order, PriceType, Product } from "./account";
import type { SimInstance } from "./instance";
import { cncSellCheck, preChecks, rupees } from "./checks";
import { orderUpdate } from "./books";
import { IdSource } from "./ids";
import { MIS_SQUARE_OFF, misCutoffPassed } from "@/lib/trading/calendar";

export interface OrderRequest {
  strategy: string;
  symbol: string;
  exchange: Exchange;
  action: Action;
  quantity: number;
  pricetype: PriceType;
  product: Product;
  price: number;
  trigger_price: number;
}

/** Refused before recording (no orderid), or recorded as `rejected` (`order` set). */
export type PlaceResult = { ok: true; order: Order } | { ok: false; status: number; message: string; order?: Order };

export type UpdateListener = (instanceId: string, update: Record<string, unknown>) => void;

const ZERO = new Decimal(0);

export class Engine {
  private readonly listeners = new Set<UpdateListener>();
  /** Working orders waiting for a price, by `symbol|exchange`, across all instances. */
  private readonly resting = new Map<string, Map<Order, SimInstance>>();
  private readonly ids: IdSource;

  /** `wallClock`: real time, for order ids that never repeat across restarts (lib/simulator/broker/ids.ts). */
  constructor(
    readonly market: MarketView,
    wallClock: () => number = Date.now,
  ) {
    this.ids = new IdSource(wallClock);
    market.onTick((changed) => this.onTick(changed));
  }

  onUpdate(l: UpdateListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  now(): number {
    return this.market.clock.now();
  }

  nextOrderId(): string {
    return this.ids.orderId(this.now());
  }

  emit(inst: SimInstance, o: Order): void {
    if (this.listeners.size === 0) return;
    const update = orderUpdate(inst, o);
    for (const l of this.listeners) l(inst.id, update);
  }

  /** Places one order for `inst`. */
  place(inst: SimInstance, req: OrderRequest, via: string): PlaceResult {
    if (inst.mode === "analyze") inst.analyzerLogs += 1;
    const instr = this.market.instrument(req.symbol, req.exchange);
    if (!instr) return { ok: false, status: 400, message: `Symbol ${req.symbol} not found on ${req.exchange}` };
    const refused = preChecks(instr, req);
    if (refused) return { ok: false, status: 400, message: refused };
    // OpenAlgo's intraday cut-off, on the session clock (off while the market is switched always open).
    if (req.product === "MIS" && !this.market.alwaysOpen() && misCutoffPassed(this.now())) {
      return {
        ok: false,
        status: 400,
        message: `MIS orders cannot be placed after square-off time (${MIS_SQUARE_OFF} IST)`,
      };
    }
    const quote = this.market.quote(req.symbol, req.exchange);
    if (req.pricetype === "MARKET" && (!quote || quote.ltp <= 0)) {
      return {
        ok: false,
        status: 400,
        message: `Cannot place MARKET order for ${req.symbol} - unable to fetch current price`,
      };
    }
    const acct = inst.account;
    const o = this.newOrder(instr, req, via, quote);
    if (inst.faults.bookLagging) o.unlisted = true;
    const p = acct.position(instr, req.product);

    const reject = (reason: string, status = 400): PlaceResult => {
      o.status = "rejected";
      o.rejectionReason = reason;
      acct.addOrder(o);
      this.emit(inst, o);
      return { ok: false, status, message: reason, order: o };
    };
    // The exchange's limit, which may be below what the instrument data reports (MarketView.setExchangeFreeze).
    const freeze = this.market.enforcedFreezeQty(instr);
    if (freeze > 1 && req.quantity > freeze) {
      return reject(
        `Quantity ${req.quantity} exceeds the freeze limit of ${freeze} for ${instr.symbol}. Slice the order.`,
      );
    }
    if (req.product === "CNC" && req.action === "SELL") {
      const bad = cncSellCheck(instr, req.quantity, p.qty - p.sellQty, acct.holdingQty(instr));
      if (bad) return reject(bad);
    }
    const { before, after } = acct.marginWith(p, req.action, req.quantity, o.refPrice, this.now());
    const required = after.minus(before);
    const available = acct.available();
    if (required.gt(0) && required.gt(available)) {
      const shortage = required.minus(available);
      if (inst.mode === "analyze") {
        // The sandbox refuses before recording (docs/openalgo.md "Orders"): no orderid, no order_update.
        return {
          ok: false,
          status: 400,
          message: `Insufficient funds. Required: ${rupees(required)}, Available: ${rupees(available)}, Shortage: ${rupees(shortage)}`,
        };
      }
      return reject(
        `RMS:Margin Exceeds, Required margin ${required.toFixed(2)}, Available margin ${available.toFixed(2)}`,
      );
    }

    acct.addOrder(o);
    acct.startWorking(o, p);
    acct.remargin(p, this.now());
    if (o.pricetype === "SL" || o.pricetype === "SL-M")
      o.status = quote && this.triggered(o, quote) ? "open" : "trigger pending";
    this.emit(inst, o);

    const f = inst.faults;
    if (f.lateRejectRate > 0 && inst.random() < f.lateRejectRate) {
      // RMS rejects a few seconds after accepting; the order must not fill meanwhile.
      o.held = true;
      inst.laterUnlessHeld(f.lateRejectMs, () => {
        if (!o.held || (o.status !== "open" && o.status !== "trigger pending")) return;
        o.held = false;
        this.finish(
          inst,
          o,
          "rejected",
          "RMS: order rejected by risk management after acceptance (simulated late rejection)",
        );
      });
      return { ok: true, order: o };
    }
    this.tryMatch(inst, o, quote, true);
    if (o.status === "open" || o.status === "trigger pending") this.rest(inst, o);
    return { ok: true, order: o };
  }

  private newOrder(instr: Instrument, req: OrderRequest, via: string, quote: Quote | undefined): Order {
    const price = new Decimal(req.price);
    const trigger = new Decimal(req.trigger_price);
    let ref: Decimal;
    if (req.pricetype === "MARKET") ref = new Decimal(marketPrice(req.action, quote) ?? 0);
    else if (req.pricetype === "LIMIT") ref = price;
    else ref = req.pricetype === "SL" ? Decimal.max(price, trigger) : trigger;
    return {
      orderid: this.nextOrderId(),
      via,
      strategy: req.strategy,
      inst: instr,
      action: req.action,
      quantity: req.quantity,
      product: req.product,
      pricetype: req.pricetype,
      price: req.pricetype === "LIMIT" || req.pricetype === "SL" ? price : ZERO,
      triggerPrice: req.pricetype === "SL" || req.pricetype === "SL-M" ? trigger : ZERO,
      refPrice: ref,
      status: "open",
      filled: 0,
      fillValue: ZERO,
      rejectionReason: "",
      createdAt: this.now(),
      working: 0,
      held: false,
    };
  }

  private triggered(o: Order, q: Quote): boolean {
    return o.action === "BUY" ? o.triggerPrice.lte(q.ltp) : o.triggerPrice.gte(q.ltp);
  }

  /** Fills what the current quote allows. `placing`: a resting LIMIT is not filled on LTP alone at placement. */
  private tryMatch(inst: SimInstance, o: Order, quote: Quote | undefined, placing: boolean): void {
    if (o.held || !quote || (o.status !== "open" && o.status !== "trigger pending")) return;
    if (inst.faults.holdRestingOrders && !placing) return;
    let triggeredNow = false;
    if (o.status === "trigger pending") {
      if (!this.triggered(o, quote)) return;
      o.status = "open";
      triggeredNow = true;
    }
    const px = this.fillPrice(o, quote, placing);
    if (px) this.execute(inst, o, px);
    // A trigger that fills at once goes straight from trigger pending to complete (docs/openalgo.md "WebSocket").
    else if (triggeredNow) this.emit(inst, o);
  }

  private fillPrice(o: Order, q: Quote, placing: boolean): Decimal | undefined {
    if (o.pricetype === "MARKET" || o.pricetype === "SL-M") {
      const m = marketPrice(o.action, q);
      return m ? new Decimal(m) : undefined;
    }
    // LIMIT, and SL once triggered: marketable against the touch, else filled at the limit when the LTP crosses.
    const touch = o.action === "BUY" ? q.ask : q.bid;
    if (touch > 0 && (o.action === "BUY" ? o.price.gte(touch) : o.price.lte(touch))) return new Decimal(touch);
    if (!placing && q.ltp > 0 && (o.action === "BUY" ? o.price.gte(q.ltp) : o.price.lte(q.ltp))) return o.price;
    return undefined;
  }

  /** Fills the rest of `o` at `px`, subject to the flap and partial-fill faults. */
  private execute(inst: SimInstance, o: Order, px: Decimal): void {
    const f = inst.faults;
    const remaining = o.quantity - o.filled;
    const lot = Math.max(o.inst.lotsize, 1);
    if (o.filled === 0 && f.flapRate > 0 && inst.random() < f.flapRate) {
      // Shown rejected, then complete: the fill is applied when it flips, so the books never disagree with status.
      o.held = true;
      o.status = "rejected";
      o.rejectionReason = "RMS: order status temporarily rejected (simulated flap)";
      this.emit(inst, o);
      inst.laterUnlessHeld(f.flapMs, () => {
        // A roll or reset that ended the order meanwhile wins over the flip.
        if (!o.held || o.status !== "rejected") return;
        o.held = false;
        o.status = "open";
        o.rejectionReason = "";
        this.applyFill(inst, o, remaining, px);
      });
      return;
    }
    const partialable = (o.pricetype === "MARKET" || o.pricetype === "LIMIT") && o.filled === 0 && remaining >= 2 * lot;
    if (partialable && f.partialFillRate > 0 && inst.random() < f.partialFillRate) {
      const lots = remaining / lot;
      const first = (1 + Math.floor(inst.random() * (lots - 1))) * lot;
      this.applyFill(inst, o, first, px);
      o.held = true;
      const fillRest = () => {
        if (!o.held || o.status !== "open") return;
        o.held = false;
        const q = this.market.quote(o.inst.symbol, o.inst.exchange);
        const next = q ? this.fillPrice(o, q, false) : undefined;
        if (next) this.applyFill(inst, o, o.quantity - o.filled, next);
        else this.rest(inst, o);
      };
      // Held (fault `holdPartialFills`): the rest waits until the fault is switched off.
      inst.later(f.partialFillMs, () =>
        inst.faults.holdPartialFills ? void inst.heldPartialFills.push(fillRest) : fillRest(),
      );
      return;
    }
    this.applyFill(inst, o, remaining, px);
  }

  private applyFill(inst: SimInstance, o: Order, qty: number, px: Decimal): void {
    const acct = inst.account;
    acct.fill(o, qty, px, this.now(), this.ids.tradeId(this.now()));
    if (o.filled >= o.quantity) {
      o.status = "complete";
      this.unrest(o);
    }
    acct.remargin(acct.position(o.inst, o.product), this.now());
    this.emit(inst, o);
  }

  /** Ends a working order (`cancelled` / `rejected`), releasing its margin. */
  finish(inst: SimInstance, o: Order, status: "cancelled" | "rejected", reason = ""): void {
    const acct = inst.account;
    const p = acct.position(o.inst, o.product);
    acct.stopWorking(o, p);
    o.status = status;
    o.rejectionReason = reason;
    o.held = false;
    this.unrest(o);
    acct.remargin(p, this.now());
    this.emit(inst, o);
  }

  /**
   * Changes a working order's quantity/price/trigger (sandbox applies only these). No event (docs/openalgo.md
   * "WebSocket").
   */
  modify(inst: SimInstance, o: Order, change: { quantity: number; price: Decimal; trigger: Decimal }): void {
    const acct = inst.account;
    const p = acct.position(o.inst, o.product);
    acct.stopWorking(o, p);
    o.quantity = Math.max(change.quantity, o.filled);
    if (change.price.gt(0)) o.price = change.price;
    if (change.trigger.gt(0)) o.triggerPrice = change.trigger;
    if (o.pricetype === "LIMIT") o.refPrice = o.price;
    else if (o.pricetype === "SL") o.refPrice = Decimal.max(o.price, o.triggerPrice);
    else if (o.pricetype === "SL-M") o.refPrice = o.triggerPrice;
    acct.startWorking(o, p);
    acct.remargin(p, this.now());
    this.tryMatch(inst, o, this.market.quote(o.inst.symbol, o.inst.exchange), false);
  }

  private rest(inst: SimInstance, o: Order): void {
    const key = o.inst.symbol + "|" + o.inst.exchange;
    let book = this.resting.get(key);
    if (!book) {
      book = new Map();
      this.resting.set(key, book);
    }
    book.set(o, inst);
  }

  private unrest(o: Order): void {
    this.resting.get(o.inst.symbol + "|" + o.inst.exchange)?.delete(o);
  }

  /** Forgets every resting order of an instance (reset/remove). */
  dropInstance(inst: SimInstance): void {
    for (const book of this.resting.values()) for (const [o, i] of book) if (i === inst) book.delete(o);
  }

  private onTick(changed: { symbol: string; exchange: Exchange }[]): void {
    if (this.resting.size === 0) return;
    const keys = new Set<string>();
    const symbols = new Set<string>();
    for (const c of changed) {
      keys.add(c.symbol + "|" + c.exchange);
      symbols.add(c.symbol);
    }
    for (const [key, book] of this.resting) {
      if (book.size === 0) {
        this.resting.delete(key);
        continue;
      }
      // The market reports a derivative only while it is watched; its underlying's move wakes it regardless.
      const first = book.keys().next().value as Order;
      if (!keys.has(key) && !symbols.has(first.inst.underlying)) continue;
      const q = this.market.quote(first.inst.symbol, first.inst.exchange);
      for (const [o, inst] of [...book]) {
        if (o.status !== "open" && o.status !== "trigger pending") {
          book.delete(o);
          continue;
        }
        // A tick never revives a book that rolled over: the roll cancels day orders first.
        if (inst.checkRoll()) continue;
        this.tryMatch(inst, o, q, false);
      }
    }
  }
}

/** Ask for a BUY, bid for a SELL; the LTP when the book side is empty. */
export function marketPrice(action: Action, q: Quote | undefined): number | undefined {
  if (!q) return undefined;
  const touch = action === "BUY" ? q.ask : q.bid;
  const px = touch > 0 ? touch : q.ltp;
  return px > 0 ? px : undefined;
}
