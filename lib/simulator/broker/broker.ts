/**
 * The simulated broker: a set of OpenAlgo instances (one trading account each) sharing one market model, the
 * order engine, and the route handlers the server mounts under `/api/v1/<name>`.
 */
import Decimal from "decimal.js";
import type {
  FaultConfig,
  InstanceConfig,
  InstanceMode,
  MarketView,
  ReceivedOrder,
  RouteHandler,
} from "@/lib/simulator/types";
import { istDateOf } from "@/lib/trading/calendar";
import { avgPrice } from "./account";
import { Engine, type UpdateListener } from "./matching-engine";
import { SimInstance } from "./instance";
import { DEFAULT_MARGIN_TABLE, type MarginTable } from "./margin";
import { accountRoutes } from "./routes-account";
import { optionRoutes } from "./option-order-routes";
import { orderRoutes } from "./routes-orders";

export { SimInstance } from "./instance";

export interface BrokerOptions {
  seed: number;
  /** Per-lot margin settings (the documented defaults when omitted: docs/trading-facts.md "Margin and lot sizing"). */
  marginTable?: MarginTable;
  /** Real time for order ids (default Date.now); tests pass their own to model a restart. */
  wallClock?: () => number;
}

export interface Broker {
  createInstance(cfg: InstanceConfig): SimInstance;
  removeInstance(id: string): boolean;
  instance(id: string): SimInstance | undefined;
  instanceByKey(apiKey: string): SimInstance | undefined;
  instances(): SimInstance[];
  /** Clears every instance's books and restores its capital. */
  reset(): void;
  revokeSession(id: string): boolean;
  login(id: string): boolean;
  setMode(id: string, mode: InstanceMode): boolean;
  setFaults(id: string, faults: Partial<FaultConfig>): boolean;
  receivedOrders(id: string): ReceivedOrder[];
  onOrderUpdate(listener: UpdateListener): () => void;
  // Handlers differ in their parsed value type; the server only passes each handler's own value back to it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly routes: Record<string, RouteHandler<any, SimInstance>>;
}

const ID_RE = /^[A-Za-z0-9_-]+$/;

export function createBroker(market: MarketView, opts: BrokerOptions): Broker {
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  const table = opts.marginTable ?? DEFAULT_MARGIN_TABLE;
  const engine = new Engine(market, opts.wallClock);
  const byId = new Map<string, SimInstance>();
  const byKey = new Map<string, SimInstance>();
  const resets = new Map<SimInstance, { at: number; count: number }>();

  /** The 03:00 IST roll: day orders lapse, intraday positions settle, deliveries become holdings. */
  function onRoll(inst: SimInstance): void {
    for (const o of [...inst.account.working]) engine.finish(inst, o, "cancelled");
    const now = market.clock.now();
    inst.account.roll(
      (i) => {
        const q = market.quote(i.symbol, i.exchange);
        return q && q.ltp > 0 ? new Decimal(q.ltp) : undefined;
      },
      istDateOf(now),
      now,
    );
  }

  function setMode(inst: SimInstance, mode: InstanceMode): void {
    inst.mode = mode;
  }

  const routes = {
    ...accountRoutes({
      engine,
      table,
      resetInfo: (i) => resets.get(i) ?? { at: market.clock.now(), count: 0 },
      setMode,
    }),
    ...orderRoutes(engine),
    ...optionRoutes(engine),
  };

  const withInstance = (id: string, fn: (inst: SimInstance) => void): boolean => {
    const inst = byId.get(id);
    if (!inst) return false;
    fn(inst);
    return true;
  };

  return {
    routes,
    createInstance(cfg) {
      if (!ID_RE.test(cfg.id))
        throw new RangeError(`Instance id "${cfg.id}" may only contain letters, digits, - and _`);
      if (byId.has(cfg.id)) throw new RangeError(`Instance ${cfg.id} already exists`);
      if (!cfg.apiKey || byKey.has(cfg.apiKey))
        throw new RangeError(`API key of instance ${cfg.id} is empty or already in use`);
      const inst = new SimInstance(cfg, market.clock, opts.seed, table, onRoll);
      byId.set(inst.id, inst);
      byKey.set(inst.apiKey, inst);
      resets.set(inst, { at: market.clock.now(), count: 0 });
      return inst;
    },
    removeInstance(id) {
      const inst = byId.get(id);
      if (!inst) return false;
      inst.clearTimers();
      engine.dropInstance(inst);
      byId.delete(id);
      byKey.delete(inst.apiKey);
      resets.delete(inst);
      return true;
    },
    instance: (id) => byId.get(id),
    instanceByKey: (apiKey) => byKey.get(apiKey),
    instances: () => [...byId.values()],
    reset() {
      for (const inst of byId.values()) {
        engine.dropInstance(inst);
        inst.resetBooks();
        const r = resets.get(inst);
        resets.set(inst, { at: market.clock.now(), count: (r?.count ?? 0) + 1 });
      }
    },
    revokeSession: (id) => withInstance(id, (i) => i.revoke()),
    login: (id) => withInstance(id, (i) => i.login()),
    setMode: (id, mode) => withInstance(id, (i) => setMode(i, mode)),
    setFaults: (id, faults) =>
      withInstance(id, (i) => {
        i.faults = { ...i.faults, ...faults };
        // A lagging book catches up: every order it kept back appears at once.
        if (!i.faults.bookLagging) for (const o of i.account.orders) o.unlisted = false;
        // Partial fills held back complete at once.
        if (!i.faults.holdPartialFills) i.releasePartialFills();
        // Late rejections and flap flips held back happen at once.
        if (!i.faults.holdTransitions) i.releaseTransitions();
        // Cancel replies held back are sent.
        if (!i.faults.holdCancelReplies) i.releaseReplies();
      }),
    receivedOrders(id) {
      const inst = byId.get(id);
      if (!inst) return [];
      return inst.account.orders.map((o) => ({
        orderid: o.orderid,
        receivedAt: o.createdAt,
        via: o.via,
        strategy: o.strategy,
        symbol: o.inst.symbol,
        exchange: o.inst.exchange,
        action: o.action,
        quantity: o.quantity,
        product: o.product,
        pricetype: o.pricetype,
        price: o.price.toFixed(2),
        triggerPrice: o.triggerPrice.toFixed(2),
        status: o.status,
        filledQuantity: o.filled,
        averagePrice: avgPrice(o).toFixed(2),
        rejectionReason: o.rejectionReason,
      }));
    },
    onOrderUpdate: (listener) => engine.onUpdate(listener),
  };
}
