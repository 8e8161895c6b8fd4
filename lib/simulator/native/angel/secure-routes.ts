/**
 * The authenticated SmartAPI endpoints (paths below `/rest/secure/angelbroking/`), each translated to engine routes
 * (docs/brokers/angel.md "Simulator front-end"). Engine refusals become Angel's `status: false` envelope with the
 * engine's text as `message`.
 */
import { type NativeContext, withRejectionReasons } from "@/lib/simulator/native/front-end";
import type { Reply } from "@/lib/simulator/server/rest";
import type { InstanceState, RouteResult } from "@/lib/simulator/types";
import { angelMaster, type AngelMaster } from "./master";
import {
  holdingRows,
  ORDER_TYPE_TO_ENGINE,
  orderBookRows,
  positionRows,
  PRODUCT_TO_ENGINE,
  rmsLimits,
  tradeBookRows,
  uniqueOrderId,
} from "./translate";
import { fail, ok } from "./replies";

type Body = Record<string, unknown>;
type Row = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

function engineError(r: RouteResult, code: string): Reply {
  const message = str((r.body as { message?: unknown } | undefined)?.message) || "Error not specified";
  return fail(code, message);
}
const dataOf = (r: RouteResult) => (r.body as { data?: unknown }).data;

async function books(ctx: NativeContext, instance: InstanceState) {
  const orders = await ctx.run(instance, "orderbook", {});
  const trades = await ctx.run(instance, "tradebook", {});
  return {
    orders: withRejectionReasons(
      ctx,
      instance,
      ((dataOf(orders) as { orders?: Row[] } | undefined)?.orders ?? []) as Row[],
    ),
    trades: (dataOf(trades) ?? []) as Row[],
  };
}

/** The engine symbol of an Angel (exchange, symboltoken, tradingsymbol); undefined when they do not agree. */
function resolve(master: AngelMaster, body: Body) {
  const hit = master.byToken(str(body.exchange), str(body.symboltoken));
  return hit && hit.scrip.symbol === str(body.tradingsymbol) ? hit.instrument : undefined;
}

export async function handleSecure(
  method: string,
  endpoint: string,
  body: Body,
  instance: InstanceState,
  ctx: NativeContext,
): Promise<{ reply: Reply; placed?: boolean }> {
  const master = angelMaster(ctx.market);
  const get = method === "GET";
  switch (`${get ? "GET" : "POST"} ${endpoint}`) {
    case "GET user/v1/getProfile":
      return {
        reply: ok({
          clientcode: instance.id,
          name: `Simulated trader ${instance.id}`,
          email: "",
          mobileno: "",
          exchanges: ["nse_cm", "bse_cm", "nse_fo", "bse_fo"],
          products: ["MARGIN", "MIS", "NRML", "CNC", "CO", "BO"],
          lastlogintime: "",
          brokerid: "B2C",
        }),
      };
    case "GET user/v1/getRMS": {
      const r = await ctx.run(instance, "funds", {});
      return { reply: r.status === 200 ? ok(rmsLimits(dataOf(r) as Row)) : engineError(r, "AB1004") };
    }
    case "GET order/v1/getOrderBook": {
      const b = await books(ctx, instance);
      // Angel answers an empty book with `data: null`.
      return { reply: ok(b.orders.length ? orderBookRows(master, b.orders, b.trades) : null) };
    }
    case "GET order/v1/getTradeBook": {
      const b = await books(ctx, instance);
      return { reply: ok(b.trades.length ? tradeBookRows(master, b.trades) : null) };
    }
    case "GET order/v1/getPosition": {
      const rows = (dataOf(await ctx.run(instance, "positionbook", {})) ?? []) as Row[];
      return { reply: ok(rows.length ? positionRows(master, rows) : null) };
    }
    case "GET portfolio/v1/getHolding": {
      const d = dataOf(await ctx.run(instance, "holdings", {})) as { holdings?: Row[] } | undefined;
      return { reply: ok(holdingRows(master, d?.holdings ?? [])) };
    }
    case "POST order/v1/placeOrder":
      return placeOrder(master, body, instance, ctx);
    case "POST order/v1/modifyOrder":
      return { reply: await modifyOrder(master, body, instance, ctx) };
    case "POST order/v1/cancelOrder": {
      const orderid = str(body.orderid);
      const r = await ctx.run(instance, "cancelorder", { orderid, strategy: "angel" });
      if (r.status !== 200) return { reply: engineError(r, "AB1013") };
      return { reply: ok({ orderid, uniqueorderid: uniqueOrderId(orderid) }) };
    }
    case "POST market/v1/quote":
      return { reply: await quote(master, body, instance, ctx) };
    default:
      return { reply: fail("AB2000", "Error not specified", 404) };
  }
}

async function placeOrder(master: AngelMaster, body: Body, instance: InstanceState, ctx: NativeContext) {
  const inst = resolve(master, body);
  if (!inst) return { reply: fail("AB1009", "Symbol Not Found") };
  const product = PRODUCT_TO_ENGINE[str(body.producttype)];
  if (!product) return { reply: fail("AB1012", "Invalid Product Type") };
  const pricetype = ORDER_TYPE_TO_ENGINE[str(body.ordertype)];
  if (!pricetype) return { reply: fail("AB1008", "Invalid Order Type") };
  const tag = str(body.ordertag);
  if (tag.length > 20) return { reply: fail("AB4008", "ordertag length should be less than 20 characters") };
  const r = await ctx.run(instance, "placeorder", {
    strategy: tag || "angel",
    exchange: inst.exchange,
    symbol: inst.symbol,
    action: str(body.transactiontype),
    quantity: str(body.quantity),
    pricetype,
    product,
    price: str(body.price) || "0",
    trigger_price: str(body.triggerprice) || "0",
    disclosed_quantity: str(body.disclosedquantity) || "0",
  });
  if (r.status !== 200) return { reply: engineError(r, "AB2000") };
  const orderid = str((r.body as { orderid?: unknown }).orderid);
  return {
    reply: ok({ script: str(body.tradingsymbol), orderid, uniqueorderid: uniqueOrderId(orderid) }),
    placed: true,
  };
}

async function modifyOrder(master: AngelMaster, body: Body, instance: InstanceState, ctx: NativeContext) {
  const inst = resolve(master, body);
  if (!inst) return fail("AB1009", "Symbol Not Found");
  const orderid = str(body.orderid);
  // Angel's modify does not restate the side: it is the order's own.
  const { orders } = await books(ctx, instance);
  const order = orders.find((o) => str(o.orderid) === orderid);
  if (!order) return fail("AB1013", "Order not found");
  const r = await ctx.run(instance, "modifyorder", {
    strategy: "angel",
    exchange: inst.exchange,
    symbol: inst.symbol,
    orderid,
    action: str(order.action),
    product: PRODUCT_TO_ENGINE[str(body.producttype)] ?? "",
    pricetype: ORDER_TYPE_TO_ENGINE[str(body.ordertype)] ?? "",
    price: str(body.price) || "0",
    quantity: str(body.quantity),
    disclosed_quantity: "0",
    trigger_price: str(body.triggerprice) || "0",
  });
  if (r.status !== 200) return engineError(r, "AB2000");
  return ok({ orderid, uniqueorderid: uniqueOrderId(orderid) });
}

/** `mode` LTP | OHLC | FULL over `exchangeTokens: {NSE: ["3045"], ...}` (at most 50 tokens in all). */
async function quote(master: AngelMaster, body: Body, instance: InstanceState, ctx: NativeContext) {
  const mode = str(body.mode);
  const tokens = (body.exchangeTokens ?? {}) as Record<string, unknown>;
  if (!["LTP", "OHLC", "FULL"].includes(mode)) return fail("AB2000", "Invalid mode");
  const fetched: Row[] = [];
  const unfetched: Row[] = [];
  for (const [exchange, list] of Object.entries(tokens)) {
    for (const token of Array.isArray(list) ? list.map(str) : []) {
      const hit = master.byToken(exchange, token);
      const q = hit && ctx.market.quote(hit.instrument.symbol, hit.instrument.exchange);
      if (!hit || !q) {
        unfetched.push({ exchange, symbolToken: token, message: "Symbol token not found", errorCode: "AB1018" });
        continue;
      }
      const row: Row = { exchange, tradingSymbol: hit.scrip.symbol, symbolToken: token, ltp: q.ltp };
      if (mode !== "LTP") Object.assign(row, { open: q.open, high: q.high, low: q.low, close: q.prevClose });
      if (mode === "FULL") {
        const d = await ctx.run(instance, "depth", {
          symbol: hit.instrument.symbol,
          exchange: hit.instrument.exchange,
        });
        const depth = (dataOf(d) ?? {}) as { bids?: Row[]; asks?: Row[]; totalbuyqty?: number; totalsellqty?: number };
        const level = (l: Row) => ({ price: l.price, quantity: l.quantity, orders: 1 });
        Object.assign(row, {
          lastTradeQty: 0,
          exchFeedTime: "",
          exchTradeTime: "",
          netChange: Math.round((q.ltp - q.prevClose) * 100) / 100,
          percentChange: q.prevClose ? Math.round(((q.ltp - q.prevClose) / q.prevClose) * 10_000) / 100 : 0,
          avgPrice: q.ltp,
          tradeVolume: q.volume,
          opnInterest: q.oi,
          lowerCircuit: 0,
          upperCircuit: 0,
          totBuyQuan: depth.totalbuyqty ?? 0,
          totSellQuan: depth.totalsellqty ?? 0,
          "52WeekLow": q.low,
          "52WeekHigh": q.high,
          depth: { buy: (depth.bids ?? []).map(level), sell: (depth.asks ?? []).map(level) },
        });
      }
      fetched.push(row);
    }
  }
  if (fetched.length + unfetched.length > 50) return fail("AB2000", "Maximum 50 tokens allowed");
  return ok({ fetched, unfetched });
}
