/**
 * The copy log (docs/copy-trading.md "What the trader sees"): a group's master events, newest first, keyset-paged by
 * (detectedAt, id), each with what became of it in every child: the planned units or the reason for none, and from
 * the child intents of the event's leg the worst state, fills, the broker's average price, the latency, the broker
 * order ids and the broker's text — of the child's one order of that leg, which may carry other events of the run too
 * (`combined` says how many and what the order was); an ORDERS-mode MODIFY or CANCEL also what it did to each child
 * and the master order as it stood before. Four statements per page at most, whatever its length.
 */
import { z } from "zod";
import type { Actor } from "@/lib/auth/roles";
import { findAccountNames } from "@/lib/db/queries/copy-groups";
import {
  findCopyEventPage,
  findLegIntents,
  findOrderSteps,
  type CopyEventRow,
  type LegIntentRow,
  type OrderStepRow,
} from "@/lib/db/queries/copy-log";
import { childMirrorOutcome, summariseChildSlices } from "@/lib/trading/copy/log-summary";
import type { IntentState } from "@/lib/trading/intents";
import { readableGroup } from "./group-access";
import type { CopyChildOrderJson, CopyLogItemJson, CopyLogPageJson } from "./types";

const EVENT_STATUSES = ["PENDING", "SENT", "SKIPPED", "BLOCKED", "FAILED"] as const;
const EVENT_KINDS = ["FILL", "PLACE", "MODIFY", "CANCEL", "SYNC"] as const;

const encodeCursor = (e: { detectedAt: Date; id: string }) =>
  Buffer.from(`${e.detectedAt.toISOString()}|${e.id}`).toString("base64url");

const cursorSchema = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    const [iso, id, ...rest] = Buffer.from(text, "base64url").toString("utf8").split("|");
    const at = new Date(iso ?? "");
    if (rest.length > 0 || !z.uuid().safeParse(id).success || Number.isNaN(at.getTime())) {
      ctx.addIssue({ code: "custom", message: "Not a cursor of this log (use nextCursor as answered)" });
      return z.NEVER;
    }
    return { at, id: id! };
  });

export const copyLogQuerySchema = z.object({
  cursor: cursorSchema.optional(),
  status: z.enum(EVENT_STATUSES, `One of ${EVENT_STATUSES.join(", ")}`).optional(),
  kind: z.enum(EVENT_KINDS, `One of ${EVENT_KINDS.join(", ")}`).optional(),
  symbol: z.string().trim().toUpperCase().min(1).max(50).optional(),
  limit: z.coerce.number().int("A whole number").min(1, "At least 1").max(200, "At most 200").default(50),
});
export type CopyLogQuery = z.infer<typeof copyLogQuerySchema>;

/**
 * One child's share as the engine stored it on the event (copy_events.children); MODIFY and CANCEL events also carry
 * what was done (lib/services/copy/mirror-types.ts MirroredChild).
 */
const plannedChildren = z.array(
  z.object({
    accountId: z.string(),
    quantity: z.number().int().catch(0),
    reason: z.string().nullable().catch(null),
    action: z.enum(["BUY", "SELL"]).optional().catch(undefined),
    outcome: z.enum(["modified", "cancelled", "unchanged", "noted", "failed", "waiting"]).optional().catch(undefined),
    slices: z
      .array(z.object({ did: z.string(), detail: z.string().nullable().catch(null) }))
      .catch([])
      .default([]),
    combined: z
      .object({ events: z.number().int(), action: z.enum(["BUY", "SELL"]), quantity: z.number().int() })
      .nullable()
      .catch(null)
      .default(null),
  }),
);
const specsOf = (e: CopyEventRow) => {
  const parsed = plannedChildren.safeParse(e.children);
  return parsed.success ? parsed.data : [];
};

const positive = (v: { toString(): string; isZero(): boolean } | null | undefined) =>
  v && !v.isZero() ? v.toString() : null;

/** The master order before a MODIFY or CANCEL: its latest PLACE or MODIFY of a lower seq. */
function previousOf(e: CopyEventRow, steps: readonly OrderStepRow[]): CopyLogItemJson["previous"] {
  if (e.kind !== "MODIFY" && e.kind !== "CANCEL") return null;
  const before = steps.filter((s) => s.masterOrderId === e.masterOrderId && s.seq < e.seq).at(-1);
  return before
    ? {
        quantity: before.quantity,
        priceType: before.priceType,
        price: before.price?.toString() ?? null,
        triggerPrice: before.triggerPrice?.toString() ?? null,
      }
    : null;
}

/** The event's children in the group's order (as the children table lists them), then any no longer in the group. */
function childOrders(
  e: CopyEventRow,
  intents: readonly LegIntentRow[],
  names: ReadonlyMap<string, string>,
): CopyChildOrderJson[] {
  const specs = specsOf(e);
  const byAccount = new Map<string, LegIntentRow[]>();
  for (const i of intents) byAccount.set(i.accountId, [...(byAccount.get(i.accountId) ?? []), i]);
  const order = [...names.keys()];
  const rank = (id: string) => order.indexOf(id) >>> 0;
  const accountIds = [...new Set([...specs.map((s) => s.accountId), ...byAccount.keys()])].sort(
    (a, b) => rank(a) - rank(b),
  );
  return accountIds.map((accountId) => {
    const spec = specs.find((s) => s.accountId === accountId);
    const slices = byAccount.get(accountId) ?? [];
    const summary = summariseChildSlices(
      slices.map((s) => ({
        state: s.state as IntentState,
        quantity: s.quantity,
        filledQuantity: s.filledQuantity,
        averagePrice: s.averagePrice,
        acknowledgedAtMs: s.acknowledgedAt?.getTime() ?? null,
        brokerOrderId: s.brokerOrderId,
        reason: s.reason,
      })),
      e.detectedAt.getTime(),
    );
    return {
      accountId,
      accountName: slices[0]?.accountName ?? names.get(accountId) ?? accountId,
      action: (spec?.action ?? slices[0]?.action ?? e.action) as "BUY" | "SELL",
      // A share of a combined order is its own units; the order it went out with is `combined`.
      quantity: (spec?.combined ? spec.quantity : summary?.quantity) ?? spec?.quantity ?? 0,
      reason: spec?.reason ?? null,
      outcome:
        spec?.outcome && (e.kind === "MODIFY" || e.kind === "CANCEL")
          ? childMirrorOutcome({ outcome: spec.outcome, slices: spec.slices })
          : null,
      brokerReason: summary?.brokerReason ?? null,
      price: positive(slices.find((s) => s.price)?.price),
      triggerPrice: positive(slices.find((s) => s.triggerPrice)?.triggerPrice),
      state: summary?.state ?? null,
      filledQuantity: summary?.filledQuantity ?? 0,
      averagePrice: summary?.averagePrice?.toString() ?? null,
      latencyMs: summary?.latencyMs ?? null,
      brokerOrderIds: summary?.brokerOrderIds ?? [],
      combined: spec?.combined ?? null,
    };
  });
}

function itemJson(
  e: CopyEventRow,
  children: CopyChildOrderJson[],
  previous: CopyLogItemJson["previous"],
): CopyLogItemJson {
  return {
    id: e.id,
    masterOrderId: e.masterOrderId,
    seq: e.seq,
    kind: e.kind,
    symbol: e.symbol,
    exchange: e.exchange,
    product: e.product,
    action: e.action as "BUY" | "SELL",
    quantity: e.quantity,
    orderQuantity: e.orderQuantity,
    priceType: e.priceType,
    price: e.price?.toString() ?? null,
    triggerPrice: e.triggerPrice?.toString() ?? null,
    previous,
    masterBefore: e.masterBefore,
    masterAfter: e.masterAfter,
    source: e.source as CopyLogItemJson["source"],
    masterAt: e.masterAt?.toISOString() ?? null,
    detectedAt: e.detectedAt.toISOString(),
    status: e.status,
    reason: e.reason,
    runId: e.runId,
    children,
  };
}

export async function copyLog(actor: Actor, groupId: string, query: CopyLogQuery): Promise<CopyLogPageJson> {
  const group = await readableGroup(actor, groupId);
  // One row more than the page tells whether an older page exists.
  const rows = await findCopyEventPage(groupId, { ...query, before: query.cursor, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const legs = page.flatMap((e) => (e.runId !== null && e.legIndex !== null ? [{ ...e, legIndex: e.legIndex }] : []));
  const intents = await findLegIntents(legs.map((e) => ({ runId: e.runId!, legIndex: e.legIndex })));
  const byLeg = new Map<string, LegIntentRow[]>();
  for (const i of intents) byLeg.set(`${i.runId}:${i.legIndex}`, [...(byLeg.get(`${i.runId}:${i.legIndex}`) ?? []), i]);
  const changes = page.filter((e) => e.kind === "MODIFY" || e.kind === "CANCEL");
  const steps = await findOrderSteps(
    groupId,
    changes.map((e) => e.masterOrderId),
  );
  // Every planned child's name: the group's children first (in its order), then any a child row no longer names.
  const names = new Map(group.children.map((c) => [c.accountId, c.account.name]));
  const others = page.flatMap((e) => specsOf(e).map((c) => c.accountId)).filter((id) => !names.has(id));
  const removed = await findAccountNames([...new Set(others)].filter((id) => z.uuid().safeParse(id).success));
  for (const [id, name] of removed) names.set(id, name);
  const items = page.map((e) =>
    itemJson(e, childOrders(e, byLeg.get(`${e.runId}:${e.legIndex}`) ?? [], names), previousOf(e, steps)),
  );
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}
