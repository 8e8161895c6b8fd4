import Decimal from "decimal.js";
import { z } from "zod";
import { insertAudit } from "@/lib/db/queries/audit";
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { isFinalStatus } from "@/lib/brokers/types";
import { adapterForScoped } from "@/lib/services/broker-access";
import { invalidateBooks } from "./books";
import { withEntriesAllowed } from "@/lib/services/kill-switch";
import { jsonify } from "@/lib/util/jsonify";

/** Tag sent with manual actions from the account pages (OpenAlgo requires a strategy label). */
const MANUAL_TAG = "MirrorDesk";

const price = z.union([z.string().max(30), z.number()]).transform((v, ctx) => {
  try {
    const d = new Decimal(v);
    if (d.isNegative() || !d.isFinite()) throw new Error();
    return d;
  } catch {
    ctx.addIssue({ code: "custom", message: "Must be a price ≥ 0" });
    return z.NEVER;
  }
});

export const modifyOrderSchema = z
  .object({
    quantity: z.int().positive(),
    price,
    triggerPrice: price,
    priceType: z.enum(["MARKET", "LIMIT", "SL", "SL-M"]),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "Nothing to change");

async function workingOrder(actor: Actor, accountId: string, orderId: string) {
  authorize(actor, "order.manage");
  const { account, adapter } = await adapterForScoped(scopeOf(actor), accountId);
  const order = await adapter.orderStatus(orderId, MANUAL_TAG);
  if (!order) throw new NotFoundError("Order");
  if (isFinalStatus(order.status)) throw new ConflictError(`Order ${orderId} is already ${order.status}`);
  return { account, adapter, order };
}

export async function cancelAccountOrder(actor: Actor, accountId: string, orderId: string, ip: string): Promise<void> {
  const { account, adapter, order } = await workingOrder(actor, accountId, orderId);
  try {
    await adapter.cancelOrder(order.orderId, MANUAL_TAG);
  } finally {
    await invalidateBooks([account.id]);
  }
  await insertAudit({
    actorId: actor.id,
    action: "order.cancel",
    entity: "account",
    entityId: account.id,
    details: { orderId, symbol: order.symbol },
    ip,
  });
}

/**
 * Modifies a working order. Raising its quantity adds exposure, like an entry: refused while a kill switch covers the
 * account's owner (checked under the switch's lock, see withEntriesAllowed). Lowering it, prices and cancels stay
 * allowed — they are how a person reduces risk while the switch is engaged.
 */
export async function modifyAccountOrder(
  actor: Actor,
  accountId: string,
  orderId: string,
  change: z.infer<typeof modifyOrderSchema>,
  ip: string,
) {
  const { account, adapter, order } = await workingOrder(actor, accountId, orderId);
  const raises = change.quantity !== undefined && change.quantity > order.quantity;
  const send = () =>
    adapter.modifyOrder({
      orderId: order.orderId,
      symbol: order.symbol,
      exchange: order.exchange,
      action: order.action,
      product: order.product,
      priceType: change.priceType ?? order.priceType,
      quantity: change.quantity ?? order.quantity,
      price: change.price ?? order.price,
      triggerPrice: change.triggerPrice ?? order.triggerPrice,
      strategy: MANUAL_TAG,
    });
  try {
    await (raises ? withEntriesAllowed(account.ownerId, send) : send());
  } finally {
    await invalidateBooks([account.id]);
  }
  const details = {
    orderId,
    symbol: order.symbol,
    fromQuantity: order.quantity,
    quantity: change.quantity,
    price: change.price?.toString(),
    triggerPrice: change.triggerPrice?.toString(),
    priceType: change.priceType,
  };
  await insertAudit({
    actorId: actor.id,
    action: "order.modify",
    entity: "account",
    entityId: account.id,
    details: jsonify(details),
    ip,
  });
}
