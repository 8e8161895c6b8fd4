import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";

/**
 * The copy log's reads (docs/copy-trading.md "What the trader sees"): a page of a group's events, newest first, and
 * the child intents of the run legs that carried them, and the placements and modifies the page's ORDERS-mode changes
 * follow. The group id has been checked by the service.
 */
export type CopyEventRow = Prisma.CopyEventGetPayload<object>;

export interface CopyEventFilter {
  status?: CopyEventRow["status"];
  kind?: CopyEventRow["kind"];
  symbol?: string;
  /** Events strictly older than this (detectedAt, id) in the log's order. */
  before?: { at: Date; id: string };
  limit: number;
}

export function findCopyEventPage(groupId: string, f: CopyEventFilter): Promise<CopyEventRow[]> {
  const before = f.before
    ? { OR: [{ detectedAt: { lt: f.before.at } }, { detectedAt: f.before.at, id: { lt: f.before.id } }] }
    : {};
  return db().copyEvent.findMany({
    where: {
      groupId,
      ...(f.status ? { status: f.status } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      ...(f.symbol ? { symbol: f.symbol } : {}),
      ...before,
    },
    orderBy: [{ detectedAt: "desc" }, { id: "desc" }],
    take: f.limit,
  });
}

export interface LegIntentRow {
  runId: string;
  legIndex: number;
  sliceIndex: number;
  accountId: string;
  accountName: string;
  action: string;
  quantity: number;
  price: Prisma.Decimal | null;
  triggerPrice: Prisma.Decimal | null;
  state: string;
  filledQuantity: number;
  averagePrice: Prisma.Decimal | null;
  acknowledgedAt: Date | null;
  brokerOrderId: string | null;
  reason: string | null;
}

/** Every intent of the given (run, leg) pairs, with its account's name, in one statement. */
export async function findLegIntents(legs: readonly { runId: string; legIndex: number }[]): Promise<LegIntentRow[]> {
  if (legs.length === 0) return [];
  const rows = await db().orderIntent.findMany({
    where: {
      runId: { in: [...new Set(legs.map((l) => l.runId))] },
      legIndex: { in: [...new Set(legs.map((l) => l.legIndex))] },
    },
    select: {
      runId: true,
      legIndex: true,
      sliceIndex: true,
      accountId: true,
      action: true,
      quantity: true,
      price: true,
      triggerPrice: true,
      state: true,
      filledQuantity: true,
      averagePrice: true,
      acknowledgedAt: true,
      brokerOrderId: true,
      reason: true,
      account: { select: { name: true } },
    },
    orderBy: [{ runId: "asc" }, { legIndex: "asc" }, { accountId: "asc" }, { sliceIndex: "asc" }],
  });
  const wanted = new Set(legs.map((l) => `${l.runId}:${l.legIndex}`));
  return rows
    .filter((r) => wanted.has(`${r.runId}:${r.legIndex}`))
    .map(({ account, ...r }) => ({ ...r, accountName: account.name }));
}

export type OrderStepRow = Pick<
  CopyEventRow,
  "masterOrderId" | "seq" | "quantity" | "priceType" | "price" | "triggerPrice"
>;

/** The PLACE and MODIFY events of the given master orders of a group (what a MODIFY or CANCEL changed), by seq. */
export function findOrderSteps(groupId: string, masterOrderIds: readonly string[]): Promise<OrderStepRow[]> {
  if (masterOrderIds.length === 0) return Promise.resolve([]);
  return db().copyEvent.findMany({
    where: { groupId, masterOrderId: { in: [...new Set(masterOrderIds)] }, kind: { in: ["PLACE", "MODIFY"] } },
    select: { masterOrderId: true, seq: true, quantity: true, priceType: true, price: true, triggerPrice: true },
    orderBy: [{ masterOrderId: "asc" }, { seq: "asc" }],
  });
}
