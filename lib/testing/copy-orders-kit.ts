/**
 * ORDERS-mode test kit: master events recorded and their COPY run created the way the engine does it (one leg per
 * event, intent ids keyed by the event, the event marked SENT with its run in the run's transaction), so the
 * mirroring of modifies and cancels can be tested on its own.
 */
import { randomUUID } from "node:crypto";
import Decimal from "decimal.js";
import { db } from "@/lib/db/client";
import { findScanGroup } from "@/lib/db/queries/copy-engine";
import { createRun } from "@/lib/services/runs";
import { placeChildOrders } from "@/lib/trading/copy/orders";
import { type ContractSizes, type CopyChildRule, copyIntentKey } from "@/lib/trading/copy/types";
import { sliceQuantities } from "@/lib/trading/instruments";
import type { AccountPlan } from "@/lib/trading/plan-account";
import { type RunPreview, runTotals } from "@/lib/trading/plan";
import type { ResolvedLeg } from "@/lib/trading/resolve-legs";

export interface CopiedOrder {
  symbol: string;
  exchange: string;
  product: "MIS" | "NRML";
  action: "BUY" | "SELL";
  quantity: number;
  priceType: "MARKET" | "LIMIT" | "SL" | "SL-M";
  price?: string;
  triggerPrice?: string;
}

function copyPreview(
  key: string,
  o: CopiedOrder,
  sizes: ContractSizes,
  rules: readonly CopyChildRule[],
): { preview: RunPreview; children: { accountId: string; quantity: number; reason: string | null }[] } {
  const price = o.price ? new Decimal(o.price) : null;
  const triggerPrice = o.triggerPrice ? new Decimal(o.triggerPrice) : null;
  const orders = placeChildOrders({ action: o.action, quantity: o.quantity }, rules, sizes);
  const leg = {
    legIndex: 0,
    underlying: o.symbol.replace(/\d.*$/, ""),
    instrument: "futures",
    action: o.action,
    optionType: null,
    symbol: o.symbol,
    exchange: o.exchange,
    expiry: "",
    strike: null,
    lotSize: sizes.lotSize,
    freezeQty: sizes.freezeQty,
    sliceLots: sizes.freezeQty === null ? null : Math.floor(sizes.freezeQty / sizes.lotSize),
    priceType: o.priceType,
    price,
    referencePrice: null,
    warnings: [],
  } as unknown as ResolvedLeg;
  const accounts = orders.map((c, i): AccountPlan => {
    const accountName = rules[i].accountName;
    if (c.quantity === 0)
      return { status: "skipped", accountId: c.accountId, accountName, reason: c.reason ?? "", warnings: [] };
    return {
      status: "planned",
      accountId: c.accountId,
      accountName,
      marginSource: "available",
      marginAvailable: new Decimal(0),
      marginNeeded: new Decimal(0),
      warnings: [],
      legs: [
        {
          legIndex: 0,
          symbol: o.symbol,
          exchange: o.exchange,
          action: c.action,
          product: o.product,
          priceType: o.priceType,
          price,
          triggerPrice,
          intentKey: key,
          phase: c.action === "BUY" ? 1 : 2,
          lots: c.quantity / sizes.lotSize,
          lotSize: sizes.lotSize,
          quantity: c.quantity,
          slices: sliceQuantities(c.quantity, sizes.lotSize, sizes.freezeQty ?? 1),
          marginKind: "wing",
          marginNeeded: null,
          marginAvailable: null,
          warnings: [],
        },
      ],
    };
  });
  const preview = { legs: [leg], conditions: {}, accounts, totals: runTotals(accounts) };
  return { preview, children: orders.map(({ accountId, quantity, reason }) => ({ accountId, quantity, reason })) };
}

/** Records a PLACE event (seq 1) of `masterOrderId` and creates its COPY run; returns both ids. */
export async function recordPlacement(
  group: { id: string; ownerId: string },
  masterOrderId: string,
  o: CopiedOrder,
  sizes: ContractSizes,
): Promise<{ eventId: string; runId: string }> {
  const event = await db().copyEvent.create({
    data: {
      groupId: group.id,
      masterOrderId,
      seq: 1,
      kind: "PLACE",
      symbol: o.symbol,
      exchange: o.exchange,
      product: o.product,
      action: o.action,
      quantity: o.quantity,
      priceType: o.priceType,
      price: o.price ?? null,
      triggerPrice: o.triggerPrice ?? null,
      source: "poll",
    },
  });
  const { preview, children } = copyPreview(
    copyIntentKey(group.id, masterOrderId, 1),
    o,
    sizes,
    (await findScanGroup(group.id))!.children,
  );
  const runId = randomUUID();
  await createRun({
    runId,
    ownerId: group.ownerId,
    strategyId: null,
    kind: "COPY",
    idempotencyKey: `copy-test:${event.id}`,
    triggeredAt: new Date(),
    preview,
    copyGroupId: group.id,
    andThen: async (tx) => {
      await tx.query(
        `UPDATE copy_events SET status = 'SENT', run_id = $2::uuid, leg_index = 0, children = $3::jsonb WHERE id = $1::uuid`,
        [event.id, runId, JSON.stringify(children)],
      );
    },
  });
  return { eventId: event.id, runId };
}

/** Records a MODIFY or CANCEL event (PENDING) of a master order; returns its id. */
export async function recordChange(
  groupId: string,
  masterOrderId: string,
  seq: number,
  kind: "MODIFY" | "CANCEL",
  o: CopiedOrder,
): Promise<string> {
  const event = await db().copyEvent.create({
    data: {
      groupId,
      masterOrderId,
      seq,
      kind,
      symbol: o.symbol,
      exchange: o.exchange,
      product: o.product,
      action: o.action,
      quantity: kind === "CANCEL" ? 0 : o.quantity,
      priceType: o.priceType,
      price: o.price ?? null,
      triggerPrice: o.triggerPrice ?? null,
      source: "poll",
    },
  });
  return event.id;
}
