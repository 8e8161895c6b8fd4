/**
 * Copy-group test kit: orders placed straight into a master simulator instance through its own OpenAlgo REST API (as
 * a broker terminal or phone app would: a tag that is no MirrorDesk intent id), and groups stored as the management
 * service stores them.
 */
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import { hostOf } from "./simulator-instances";

export interface MasterOrder {
  symbol: string;
  exchange: string;
  action: "BUY" | "SELL";
  quantity: number;
  product?: "MIS" | "NRML" | "CNC";
  pricetype?: "MARKET" | "LIMIT" | "SL" | "SL-M";
  price?: number;
  trigger_price?: number;
}

async function masterCall(sim: RunningSimulator, inst: InstanceConfig, route: string, body: Record<string, unknown>) {
  const res = await fetch(`${hostOf(sim, inst.id)}/api/v1/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apikey: inst.apiKey, strategy: "Terminal", ...body }),
  });
  const json = (await res.json()) as { status: string; orderid?: string; message?: string };
  if (res.status !== 200 || json.status !== "success")
    throw new Error(`master ${route} refused: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Places an order by hand in the master instance; returns the broker's order id. */
export async function masterPlace(sim: RunningSimulator, inst: InstanceConfig, o: MasterOrder): Promise<string> {
  const json = await masterCall(sim, inst, "placeorder", {
    product: "NRML",
    pricetype: "MARKET",
    price: 0,
    trigger_price: 0,
    ...o,
  });
  return json.orderid!;
}

/** Modifies a working master order (the full order restated, as OpenAlgo wants). */
export async function masterModify(
  sim: RunningSimulator,
  inst: InstanceConfig,
  orderId: string,
  o: Required<Pick<MasterOrder, "symbol" | "exchange" | "action" | "quantity" | "pricetype" | "price">> &
    Pick<MasterOrder, "product" | "trigger_price">,
): Promise<void> {
  await masterCall(sim, inst, "modifyorder", {
    orderid: orderId,
    product: "NRML",
    trigger_price: 0,
    disclosed_quantity: 0,
    ...o,
  });
}

export async function masterCancel(sim: RunningSimulator, inst: InstanceConfig, orderId: string): Promise<void> {
  await masterCall(sim, inst, "cancelorder", { orderid: orderId });
}

export interface ChildSpec {
  accountId: string;
  multiplier?: string;
  rounding?: "DOWN" | "NEAREST" | "UP";
  minOneLot?: boolean;
  maxLotsPerOrder?: number | null;
  maxOpenLots?: number | null;
  reverse?: boolean;
  enabled?: boolean;
}

/**
 * Stores a copy group (copying from now: the master's book is assumed empty, as in a fresh simulator) with its
 * children. Returns the group's id.
 */
export async function makeCopyGroup(
  owner: { id: string },
  masterAccountId: string,
  children: readonly ChildSpec[],
  opts: Partial<{
    name: string;
    mode: "FILLS" | "ORDERS";
    exchanges: string[];
    windowStart: string;
    windowEnd: string;
  }> = {},
): Promise<string> {
  const group = await db().copyGroup.create({
    data: {
      ownerId: owner.id,
      name: opts.name ?? "copy group",
      masterAccountId,
      mode: opts.mode ?? "FILLS",
      startedAt: new Date(),
      ...(opts.exchanges ? { exchanges: opts.exchanges } : {}),
      windowStart: opts.windowStart ?? null,
      windowEnd: opts.windowEnd ?? null,
      children: {
        create: children.map((c) => ({
          accountId: c.accountId,
          multiplier: c.multiplier ?? "1",
          rounding: c.rounding ?? "DOWN",
          minOneLot: c.minOneLot ?? false,
          maxLotsPerOrder: c.maxLotsPerOrder ?? null,
          maxOpenLots: c.maxOpenLots ?? null,
          reverse: c.reverse ?? false,
          enabled: c.enabled ?? true,
        })),
      },
    },
  });
  return group.id;
}
