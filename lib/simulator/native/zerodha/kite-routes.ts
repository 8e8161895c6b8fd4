/**
 * Kite's account and order endpoints over the engine's routes (docs/brokers/zerodha.md "Simulator"): order writes
 * arrive form-encoded with Kite's field names and become `placeorder`/`modifyorder`/`cancelorder` bodies; reads run the
 * engine's books and render them in Kite's shapes (kite-books.ts).
 */
import type { InstanceState, RouteResult } from "@/lib/simulator/types";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import type { Reply } from "@/lib/simulator/server/rest";
import {
  fillsByOrder,
  kiteHoldings,
  kiteMargins,
  kiteOrder,
  kitePositions,
  kiteTrades,
  orderTags,
  watchRejections,
} from "./kite-books";
import { kiteCatalog } from "./kite-instruments";
import { kiteError, kiteOk, type KiteErrorType } from "./kite-wire";

type Row = Record<string, unknown>;

const ORDER_TYPES = new Set(["MARKET", "LIMIT", "SL", "SL-M"]);
const PRODUCTS = new Set(["MIS", "NRML", "CNC"]);
const SIDES = new Set(["BUY", "SELL"]);
/** Orders placed without a tag are recorded under this engine strategy name (and shown without a tag). */
const UNTAGGED = "kite";

const dataOf = (r: RouteResult): unknown => (r.body as { data?: unknown }).data;
const messageOf = (r: RouteResult): string => String((r.body as { message?: unknown }).message ?? "Order failed");

/** An engine refusal in Kite's terms: business refusals are OrderExceptions, a missing order a 404. */
function refusal(r: RouteResult): Reply {
  if (r.status === 404) return kiteError(404, "GeneralException", messageOf(r));
  if (r.status >= 500) return kiteError(500, "GeneralException", messageOf(r));
  const type: KiteErrorType = r.status === 403 ? "PermissionException" : "OrderException";
  return kiteError(r.status === 403 ? 403 : 400, type, messageOf(r));
}

async function books(instance: InstanceState, ctx: NativeContext) {
  const trades = (dataOf(await ctx.run(instance, "tradebook", {})) as Row[] | undefined) ?? [];
  return { trades, fills: fillsByOrder(trades) };
}

async function engineOrder(instance: InstanceState, ctx: NativeContext, id: string): Promise<RouteResult> {
  return ctx.run(instance, "orderstatus", { orderid: id, strategy: UNTAGGED });
}

export async function accountRoute(path: string, instance: InstanceState, ctx: NativeContext): Promise<Reply> {
  const catalog = kiteCatalog(ctx.market);
  const rejections = watchRejections(ctx.broker);
  if (path === "/orders") {
    const r = await ctx.run(instance, "orderbook", {});
    if (r.status !== 200) return refusal(r);
    const { fills } = await books(instance, ctx);
    const rows = ((dataOf(r) as { orders?: Row[] }).orders ?? []).slice().reverse();
    return kiteOk(rows.map((o) => kiteOrder(o, catalog, fills, instance.id, rejections, orderTags(ctx.broker))));
  }
  const history = /^\/orders\/([^/]+)(\/trades)?$/.exec(path);
  if (history) {
    const r = await engineOrder(instance, ctx, history[1]);
    if (r.status !== 200) return kiteError(404, "GeneralException", "Couldn't find that `order_id`.");
    const { trades, fills } = await books(instance, ctx);
    if (history[2]) return kiteOk(kiteTrades(trades, catalog).filter((t) => t.order_id === history[1]));
    return kiteOk([kiteOrder(dataOf(r) as Row, catalog, fills, instance.id, rejections, orderTags(ctx.broker))]);
  }
  if (path === "/trades") return kiteOk(kiteTrades((await books(instance, ctx)).trades, catalog));
  if (path === "/portfolio/positions") {
    const r = await ctx.run(instance, "positionbook", {});
    return r.status === 200 ? kiteOk(kitePositions((dataOf(r) as Row[]) ?? [], catalog)) : refusal(r);
  }
  if (path === "/portfolio/holdings") {
    const r = await ctx.run(instance, "holdings", {});
    return r.status === 200
      ? kiteOk(kiteHoldings((dataOf(r) as { holdings?: Row[] }).holdings ?? [], catalog))
      : refusal(r);
  }
  const margins = /^\/user\/margins(?:\/(equity|commodity))?$/.exec(path);
  if (margins) {
    const r = await ctx.run(instance, "funds", {});
    if (r.status !== 200) return refusal(r);
    const all = kiteMargins(dataOf(r) as Row);
    return kiteOk(margins[1] ? all[margins[1] as "equity" | "commodity"] : all);
  }
  return kiteError(404, "GeneralException", "Route not found");
}

/** Kite refuses MARKET and SL-M orders over the API unless `market_protection` is -1 (automatic) or 1..100 (%). */
const UNPROTECTED = kiteError(
  400,
  "InputException",
  "Market orders without market protection are not allowed via API. Please set market protection or use a Limit order.",
);
function protectedMarket(form: URLSearchParams): boolean {
  const p = Number(form.get("market_protection") ?? "0");
  return p === -1 || (p > 0 && p <= 100);
}

function invalid(field: string): Reply {
  return kiteError(400, "InputException", `Invalid \`${field}\`.`);
}

/** Kite's form fields → the engine's placeorder body, or the InputException Kite would answer. */
function placeBody(form: URLSearchParams, ctx: NativeContext): Row | Reply {
  const catalog = kiteCatalog(ctx.market);
  const exchange = form.get("exchange") ?? "";
  const k = catalog.byKey.get(`${exchange}:${form.get("tradingsymbol") ?? ""}`);
  if (!k || k.segment === "INDICES")
    return kiteError(
      400,
      "InputException",
      "The instrument you are placing an order for has either expired or does not exist.",
    );
  const side = form.get("transaction_type") ?? "";
  const type = form.get("order_type") ?? "";
  const product = form.get("product") ?? "";
  const quantity = Number(form.get("quantity"));
  if (!SIDES.has(side)) return invalid("transaction_type");
  if (!ORDER_TYPES.has(type)) return invalid("order_type");
  if (!PRODUCTS.has(product)) return invalid("product");
  if (!Number.isSafeInteger(quantity) || quantity <= 0) return invalid("quantity");
  if ((type === "MARKET" || type === "SL-M") && !protectedMarket(form)) return UNPROTECTED;
  const tag = form.get("tag") ?? "";
  if (tag.length > 20) return kiteError(400, "InputException", "Tag length should be less than 20 characters.");
  return {
    strategy: tag || UNTAGGED,
    symbol: k.sim.symbol,
    exchange: k.sim.exchange,
    action: side,
    quantity,
    pricetype: type,
    product,
    price: form.get("price") || "0",
    trigger_price: form.get("trigger_price") || "0",
    disclosed_quantity: Number(form.get("disclosed_quantity") || 0),
  };
}

export interface WriteOutcome {
  reply: Reply;
  /** A placement: its reply may be lost (lost-reply faults). */
  places: boolean;
  /** A cancellation: its reply may be held (holdCancelReplies). */
  cancels: boolean;
}

export async function orderWrite(
  method: string,
  path: string,
  form: URLSearchParams,
  instance: InstanceState,
  ctx: NativeContext,
): Promise<WriteOutcome | undefined> {
  const m = /^\/orders\/([a-z]+)(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const [, variety, id] = m;
  const out = (reply: Reply, places = false, cancels = false) => ({ reply, places, cancels });
  if (variety !== "regular") return out(kiteError(400, "InputException", "Invalid `variety`."));
  if (method === "POST" && !id) {
    const body = placeBody(form, ctx);
    if ("status" in body && "body" in body) return out(body as Reply);
    const r = await ctx.run(instance, "placeorder", body);
    if (r.status !== 200) return out(refusal(r), true);
    const orderId = String((r.body as { orderid?: unknown }).orderid);
    if (body.strategy !== UNTAGGED) orderTags(ctx.broker).set(`${instance.id}|${orderId}`, String(body.strategy));
    return out(kiteOk({ order_id: orderId }), true);
  }
  if (!id) return undefined;
  const current = await engineOrder(instance, ctx, id);
  if (current.status !== 200) return out(refusal(current), false, method === "DELETE");
  const o = dataOf(current) as Row;
  if (method === "DELETE") {
    const r = await ctx.run(instance, "cancelorder", { orderid: id, strategy: UNTAGGED });
    return out(r.status === 200 ? kiteOk({ order_id: id }) : refusal(r), false, true);
  }
  if (method !== "PUT") return undefined;
  const type = form.get("order_type") || String(o.pricetype);
  if (!ORDER_TYPES.has(type)) return out(invalid("order_type"));
  // Turning an order into a market one needs protection too; a market order keeps the protection it was placed with.
  if ((type === "MARKET" || type === "SL-M") && type !== o.pricetype && !protectedMarket(form)) return out(UNPROTECTED);
  const r = await ctx.run(instance, "modifyorder", {
    orderid: id,
    strategy: UNTAGGED,
    symbol: o.symbol,
    exchange: o.exchange,
    action: o.action,
    product: o.product,
    pricetype: type,
    quantity: Number(form.get("quantity") || o.quantity),
    price: form.get("price") || String(o.price),
    trigger_price: form.get("trigger_price") || String(o.trigger_price),
    disclosed_quantity: Number(form.get("disclosed_quantity") || 0),
  });
  return out(r.status === 200 ? kiteOk({ order_id: id }) : refusal(r));
}
