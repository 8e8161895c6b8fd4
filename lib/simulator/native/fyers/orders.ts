/**
 * The simulated Fyers order writes (docs/brokers/fyers.md "Orders"): `POST|PATCH|DELETE /api/v3/orders/sync` with
 * Fyers' JSON bodies, checked as Fyers checks them (-50 for a bad field), run as the engine's placeorder, modifyorder
 * and cancelorder, and answered with Fyers' codes (1101 placed, 1102 modified, 1103 cancelled, -99 refused).
 */
import { z } from "zod";
import type { InstanceState, RouteResult } from "@/lib/simulator/types";
import type { NativeContext } from "../front-end";
import { FY_PRODUCT, FY_SIDE, FY_TYPE } from "./accounts";
import { symbology } from "./symbols";
import { rememberOrderTag } from "./order-tags";

type Body = Record<string, unknown>;

const invert = <K extends string, V extends string | number>(m: Readonly<Record<K, V>>) =>
  new Map(Object.entries(m).map(([k, v]) => [v as V, k as K]));
const TYPE_OF = invert(FY_TYPE);
const PRODUCT_OF = invert(FY_PRODUCT);
const SIDE_OF = invert(FY_SIDE);

const price = z.number().nonnegative();
const placeSchema = z.object({
  symbol: z.string().min(1),
  qty: z.number().int().positive(),
  type: z.number().int().min(1).max(4),
  side: z.union([z.literal(1), z.literal(-1)]),
  productType: z.enum(["INTRADAY", "MARGIN", "CNC"]),
  limitPrice: price.default(0),
  stopPrice: price.default(0),
  validity: z.enum(["DAY", "IOC"]).default("DAY"),
  disclosedQty: z.number().int().nonnegative().default(0),
  offlineOrder: z.boolean().default(false),
  orderTag: z
    .string()
    .regex(/^[A-Za-z0-9]*$/, "orderTag must be alphanumeric")
    .max(30)
    .optional(),
});
const modifySchema = z.object({
  id: z.string().min(1),
  type: z.number().int().min(1).max(4).optional(),
  limitPrice: price.optional(),
  stopPrice: price.optional(),
  qty: z.number().int().positive().optional(),
});
const cancelSchema = z.object({ id: z.string().min(1) });

export const fyJson = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
export const fyError = (status: number, code: number, message: string) => fyJson(status, { s: "error", code, message });

function invalid(error: z.ZodError) {
  const first = error.issues[0];
  return fyError(400, -50, `Invalid input: ${first.path.join(".") || "body"}: ${first.message}`);
}

/** The engine's message, or a fallback, from a failed route result. */
function engineMessage(r: RouteResult): string {
  const m = (r.body as { message?: unknown } | undefined)?.message;
  return typeof m === "string" ? m : "Order request refused";
}

export async function placeOrder(ctx: NativeContext, inst: InstanceState, body: Body) {
  const parsed = placeSchema.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const o = parsed.data;
  const s = symbology(ctx.market).byTicker.get(o.symbol);
  if (!s) return fyError(400, -50, "Invalid symbol");
  const r = await ctx.run(inst, "placeorder", {
    strategy: o.orderTag || "fyers",
    exchange: s.instrument.exchange,
    symbol: s.instrument.symbol,
    action: SIDE_OF.get(o.side),
    quantity: o.qty,
    pricetype: TYPE_OF.get(o.type),
    product: PRODUCT_OF.get(o.productType),
    price: String(o.limitPrice),
    trigger_price: String(o.stopPrice),
    disclosed_quantity: o.disclosedQty,
  });
  const id = (r.body as { orderid?: unknown } | undefined)?.orderid;
  if (typeof id === "string" && o.orderTag) rememberOrderTag(inst, id, o.orderTag);
  if (r.status === 200 && typeof id === "string")
    return fyJson(200, {
      s: "ok",
      code: 1101,
      message: `Order Submitted Successfully. Your Order Ref. No.${id}`,
      id,
    });
  return fyJson(400, { s: "error", code: -99, message: engineMessage(r), ...(typeof id === "string" ? { id } : {}) });
}

async function findOrder(ctx: NativeContext, inst: InstanceState, id: string): Promise<Body | undefined> {
  const book = await ctx.run(inst, "orderbook", {});
  const orders = ((book.body as { data?: { orders?: Body[] } }).data?.orders ?? []) as Body[];
  return orders.find((o) => String(o.orderid) === id);
}

export async function modifyOrder(ctx: NativeContext, inst: InstanceState, body: Body) {
  const parsed = modifySchema.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const m = parsed.data;
  const o = await findOrder(ctx, inst, m.id);
  if (!o) return fyError(400, -52, "Order not found");
  // Fyers takes only what changes; the engine wants the order restated.
  const r = await ctx.run(inst, "modifyorder", {
    strategy: typeof o.strategy === "string" ? o.strategy : "fyers",
    exchange: o.exchange,
    symbol: o.symbol,
    orderid: m.id,
    action: o.action,
    product: o.product,
    pricetype: m.type !== undefined ? TYPE_OF.get(m.type) : o.pricetype,
    price: String(m.limitPrice ?? o.price),
    quantity: m.qty ?? Number(o.quantity),
    disclosed_quantity: 0,
    trigger_price: String(m.stopPrice ?? o.trigger_price),
  });
  if (r.status === 200) return fyJson(200, { s: "ok", code: 1102, message: "Successfully modified order", id: m.id });
  return fyError(400, -99, engineMessage(r));
}

export async function cancelOrder(ctx: NativeContext, inst: InstanceState, body: Body) {
  const parsed = cancelSchema.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const r = await ctx.run(inst, "cancelorder", { orderid: parsed.data.id, strategy: "fyers" });
  if (r.status === 200)
    return fyJson(200, { s: "ok", code: 1103, message: "Successfully cancelled order", id: parsed.data.id });
  return fyError(400, r.status === 404 ? -52 : -99, engineMessage(r));
}
