/**
 * The simulated Upstox API's routes (docs/brokers/upstox.md "Simulator front-end"): each translates an Upstox request
 * into engine routes (`ctx.run`) and the engine's answer into Upstox's envelope and rows.
 */
import { z } from "zod";
import { type NativeContext, withRejectionReasons } from "@/lib/simulator/native/front-end";
import type { Reply } from "@/lib/simulator/server/rest";
import type { InstanceState } from "@/lib/simulator/types";
import { describe, upstoxIndex } from "./instruments";
import {
  CODES,
  failure,
  fillsByOrder,
  fundsBody,
  holdingRows,
  orderRow,
  positionRows,
  quoteEntry,
  success,
  tradeRows,
} from "./wire";

type Row = Record<string, unknown>;
export interface Call {
  inst: InstanceState;
  query: URLSearchParams;
  body: unknown;
  ctx: NativeContext;
  /** This front-end's WebSocket root as the client addressed it (`ws://host:port/upstox`), for stream URLs. */
  wsBase: string;
}
export interface Route {
  /** Upstox's rate-limit class: order placement/modify/cancel, or every other API. */
  limit: "order" | "other";
  places?: boolean;
  cancels?: boolean;
  json?: boolean;
  run(call: Call): Promise<Reply>;
}

/** An engine refusal (4xx) as Upstox's 400 without a property path: the request was understood and refused. */
const refused = (r: { status: number; body: unknown }) =>
  failure(400, CODES.refused, String((r.body as { message?: unknown })?.message ?? "Order rejected"));
const data = (r: { body: unknown }) => (r.body as { data?: unknown }).data;

async function books(call: Call) {
  const [ob, tb] = await Promise.all([
    call.ctx.run(call.inst, "orderbook", {}),
    call.ctx.run(call.inst, "tradebook", {}),
  ]);
  const orders = withRejectionReasons(call.ctx, call.inst, ((data(ob) as { orders?: Row[] })?.orders ?? []) as Row[]);
  const trades = (data(tb) ?? []) as Row[];
  return { orders, trades };
}

async function orderById(call: Call, id: string): Promise<Row | undefined> {
  const { orders, trades } = await books(call);
  const o = orders.find((x) => String(x.orderid) === id);
  return o ? orderRow(o, fillsByOrder(trades), upstoxIndex(call.ctx.market)) : undefined;
}

const orderNotFound = () => failure(400, CODES.orderNotFound, "Unknown order id | order request rejected", "order_id");

const price = z.coerce.number().nonnegative();
const placeBody = z.object({
  quantity: z.coerce.number().int().positive(),
  product: z.enum(["I", "D", "MTF", "CO"]),
  validity: z.enum(["DAY", "IOC"]),
  price,
  tag: z.string().max(40).nullish(),
  instrument_token: z.string().min(3),
  order_type: z.enum(["MARKET", "LIMIT", "SL", "SL-M"]),
  transaction_type: z.enum(["BUY", "SELL"]),
  disclosed_quantity: z.coerce.number().int().nonnegative().default(0),
  trigger_price: price,
  is_amo: z.boolean().default(false),
  slice: z.boolean().optional(),
});
const modifyBody = z.object({
  order_id: z.string().min(1),
  quantity: z.coerce.number().int().positive().optional(),
  validity: z.enum(["DAY", "IOC"]).optional(),
  price: price.optional(),
  order_type: z.enum(["MARKET", "LIMIT", "SL", "SL-M"]),
  disclosed_quantity: z.coerce.number().int().nonnegative().optional(),
  trigger_price: price.optional(),
});

function invalid(error: z.ZodError): Reply {
  const issue = error.issues[0];
  const path = issue.path.join(".") || "body";
  return failure(400, CODES.invalidInput, `Invalid input: ${path} ${issue.message}`, path);
}

function place(v3: boolean): Route {
  return {
    limit: "order",
    places: true,
    json: true,
    async run(call) {
      const parsed = placeBody.safeParse(call.body);
      if (!parsed.success) return invalid(parsed.error);
      const o = parsed.data;
      const inst = upstoxIndex(call.ctx.market).byKey.get(o.instrument_token);
      if (!inst) return failure(400, CODES.invalidInput, "Invalid instrument key", "instrument_token");
      if (o.product === "MTF" || o.product === "CO" || o.is_amo || o.validity === "IOC")
        return failure(400, CODES.refused, "This order variety is not supported by the simulator", "product");
      const product = o.product === "I" ? "MIS" : inst.instrumenttype === "EQ" ? "CNC" : "NRML";
      const r = await call.ctx.run(call.inst, "placeorder", {
        strategy: o.tag || "upstox",
        symbol: inst.symbol,
        exchange: inst.exchange,
        action: o.transaction_type,
        quantity: o.quantity,
        pricetype: o.order_type,
        product,
        price: o.price,
        trigger_price: o.trigger_price,
        disclosed_quantity: o.disclosed_quantity,
      });
      if (r.status !== 200) return refused(r);
      const id = String((r.body as { orderid?: unknown }).orderid);
      return v3 ? success({ order_ids: [id] }, { metadata: { latency: 12 } }) : success({ order_id: id });
    },
  };
}

export const ROUTES: Record<string, Route> = {
  "GET /v2/user/profile": {
    limit: "other",
    async run({ inst }) {
      return success({
        email: `${inst.id}@example.invalid`,
        exchanges: ["NSE", "NFO", "BSE", "BFO", "CDS", "BCD", "MCX"],
        products: ["D", "I", "CO", "MTF"],
        broker: "UPSTOX",
        user_id: inst.id,
        user_name: `Simulated trader ${inst.id}`,
        order_types: ["MARKET", "LIMIT", "SL", "SL-M"],
        user_type: "individual",
        poa: false,
        ddpi: false,
        is_active: true,
      });
    },
  },
  "GET /v2/user/get-funds-and-margin": {
    limit: "other",
    async run(call) {
      const body = fundsBody((data(await call.ctx.run(call.inst, "funds", {})) ?? {}) as Row);
      const segment = call.query.get("segment");
      if (segment === "SEC") return success({ equity: body.equity });
      if (segment === "COM") return success({ commodity: body.commodity });
      return success(body);
    },
  },
  "GET /v2/order/retrieve-all": {
    limit: "other",
    async run(call) {
      const { orders, trades } = await books(call);
      const fills = fillsByOrder(trades);
      const index = upstoxIndex(call.ctx.market);
      return success(orders.map((o) => orderRow(o, fills, index)));
    },
  },
  "GET /v2/order/details": {
    limit: "other",
    async run(call) {
      const row = await orderById(call, call.query.get("order_id") ?? "");
      return row ? success(row) : orderNotFound();
    },
  },
  "GET /v2/order/history": {
    limit: "other",
    async run(call) {
      const row = await orderById(call, call.query.get("order_id") ?? "");
      return row ? success([row]) : orderNotFound();
    },
  },
  "GET /v2/order/trades/get-trades-for-day": {
    limit: "other",
    async run(call) {
      const { orders, trades } = await books(call);
      const types = new Map(orders.map((o) => [String(o.orderid), o.pricetype]));
      return success(tradeRows(trades, types, upstoxIndex(call.ctx.market)));
    },
  },
  "GET /v2/order/trades": {
    limit: "other",
    async run(call) {
      const id = call.query.get("order_id") ?? "";
      const { orders, trades } = await books(call);
      if (!orders.some((o) => String(o.orderid) === id)) return orderNotFound();
      const types = new Map(orders.map((o) => [String(o.orderid), o.pricetype]));
      const mine = trades.filter((t) => String(t.orderid) === id);
      return success(tradeRows(mine, types, upstoxIndex(call.ctx.market)));
    },
  },
  "POST /v2/order/place": place(false),
  "POST /v3/order/place": place(true),
  "PUT /v2/order/modify": {
    limit: "order",
    json: true,
    async run(call) {
      const parsed = modifyBody.safeParse(call.body);
      if (!parsed.success) return invalid(parsed.error);
      const m = parsed.data;
      const { orders } = await books(call);
      const o = orders.find((x) => String(x.orderid) === m.order_id);
      if (!o) return orderNotFound();
      const r = await call.ctx.run(call.inst, "modifyorder", {
        strategy: typeof o.strategy === "string" ? o.strategy : "upstox",
        symbol: o.symbol,
        exchange: o.exchange,
        orderid: m.order_id,
        action: o.action,
        product: o.product,
        pricetype: m.order_type,
        price: m.price ?? o.price,
        quantity: m.quantity ?? o.quantity,
        disclosed_quantity: m.disclosed_quantity ?? 0,
        trigger_price: m.trigger_price ?? o.trigger_price,
      });
      return r.status === 200 ? success({ order_id: m.order_id }) : refused(r);
    },
  },
  "DELETE /v2/order/cancel": {
    limit: "order",
    cancels: true,
    async run(call) {
      const id = call.query.get("order_id") ?? "";
      if (!id) return failure(400, CODES.invalidInput, "Order id is required", "order_id");
      const r = await call.ctx.run(call.inst, "cancelorder", { orderid: id, strategy: "upstox" });
      if (r.status === 404) return orderNotFound();
      return r.status === 200 ? success({ order_id: id }) : refused(r);
    },
  },
  "GET /v2/portfolio/short-term-positions": {
    limit: "other",
    async run(call) {
      const [pb, tb] = await Promise.all([
        call.ctx.run(call.inst, "positionbook", {}),
        call.ctx.run(call.inst, "tradebook", {}),
      ]);
      return success(positionRows((data(pb) ?? []) as Row[], (data(tb) ?? []) as Row[], upstoxIndex(call.ctx.market)));
    },
  },
  "GET /v2/portfolio/long-term-holdings": {
    limit: "other",
    async run(call) {
      const h = data(await call.ctx.run(call.inst, "holdings", {})) as { holdings?: Row[] } | undefined;
      return success(holdingRows(h?.holdings ?? [], upstoxIndex(call.ctx.market)));
    },
  },
  "GET /v2/market-quote/quotes": { limit: "other", run: (call) => quotes(call, "full") },
  "GET /v2/market-quote/ltp": { limit: "other", run: (call) => quotes(call, "ltp") },
  "GET /v3/market-quote/ltp": { limit: "other", run: (call) => quotes(call, "ltp") },
};

/** Full quotes or LTPs of comma-separated instrument keys (`instrument_key`, or `symbol` as the v2 SDK sends it). */
async function quotes(call: Call, kind: "full" | "ltp"): Promise<Reply> {
  const keys = (call.query.get("instrument_key") ?? call.query.get("symbol") ?? "").split(",").filter(Boolean);
  if (keys.length === 0 || keys.length > 500)
    return failure(400, CODES.invalidInput, "Invalid instrument key", "instrument_key");
  const index = upstoxIndex(call.ctx.market);
  const out: Row = {};
  for (const key of keys) {
    const inst = index.byKey.get(key);
    if (!inst) continue;
    const body = { symbol: inst.symbol, exchange: inst.exchange };
    let r = await call.ctx.run(call.inst, "depth", body);
    if (r.status !== 200) r = await call.ctx.run(call.inst, "quotes", body);
    if (r.status !== 200) continue;
    const { tradingSymbol } = describe(index, inst.symbol, inst.exchange);
    const name = `${key.split("|")[0]}:${tradingSymbol}`;
    const entry = quoteEntry((data(r) ?? {}) as Row, key, tradingSymbol, call.ctx.market.clock.now());
    out[name] =
      kind === "full" ? entry : { last_price: entry.last_price, instrument_token: key, ltq: 0, volume: entry.volume };
  }
  return success(out);
}
