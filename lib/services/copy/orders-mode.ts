/**
 * ORDERS mode, the service half (docs/copy-trading.md "ORDERS mode"): a recorded MODIFY or CANCEL event applied to
 * the children's working orders of that master order, through each child's adapter (its rate governor inside).
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { findScanGroup } from "@/lib/db/queries/copy-engine";
import {
  type CopyEventRow,
  findCopyEvent,
  findRunPlan,
  finishMirrorEvent,
  listLegIntents,
  listMasterOrderEvents,
  saveMirrorProgress,
} from "@/lib/db/queries/copy-mirror";
import type { IntentRow } from "@/lib/db/queries/intents";
import { log } from "@/lib/log";
import { entriesBlockedReason } from "@/lib/services/kill-switch";
import { type MasterModification, reproportionChild } from "@/lib/trading/copy/orders";
import { type ContractSizes, type CopyChildRule, copyIntentKey } from "@/lib/trading/copy/types";
import { intentId } from "@/lib/trading/intents";
import { mirrorChild } from "./mirror-child";
import type { MirroredChild } from "./mirror-types";

const dec = (v: { toString(): string } | null) => (v === null ? null : new Decimal(v.toString()));

/** Contract sizes of the copy run's leg, from its stored preview (lib/trading/plan.ts RunPreview). */
const planSizes = z.object({
  legs: z.array(z.object({ legIndex: z.number(), lotSize: z.number(), freezeQty: z.number().nullable() })),
});

function sizesOf(plan: Prisma.JsonValue, legIndex: number): ContractSizes | null {
  const parsed = planSizes.safeParse(plan);
  const leg = parsed.success ? parsed.data.legs.find((l) => l.legIndex === legIndex) : undefined;
  return leg ? { lotSize: leg.lotSize, freezeQty: leg.freezeQty } : null;
}

/** The master order's quantity and prices after `event`, and its quantity before (the previous PLACE or MODIFY). */
function modificationOf(
  event: CopyEventRow,
  place: CopyEventRow,
  earlier: readonly CopyEventRow[],
): MasterModification {
  const before = earlier.filter((e) => e.kind === "PLACE" || e.kind === "MODIFY").at(-1) ?? place;
  const priceType = event.priceType ?? place.priceType ?? "LIMIT";
  return {
    action: place.action as "BUY" | "SELL",
    oldQuantity: before.quantity,
    newQuantity: event.kind === "MODIFY" ? event.quantity : before.quantity,
    price: priceType === "LIMIT" || priceType === "SL" ? dec(event.price) : null,
    triggerPrice: priceType === "SL" || priceType === "SL-M" ? dec(event.triggerPrice) : null,
    priceType,
  };
}

/** Earlier outcomes of this event that are settled (a retry redoes only the children that were waiting). */
function settledBefore(children: Prisma.JsonValue): Map<string, MirroredChild> {
  const list = Array.isArray(children) ? (children as unknown as MirroredChild[]) : [];
  return new Map(list.filter((c) => c && c.outcome && c.outcome !== "waiting").map((c) => [c.accountId, c]));
}

/**
 * Applies a recorded MODIFY or CANCEL event (status PENDING) to every child's working orders of its master order
 * — the intents of the PLACE event's legs, found by their event-keyed intent ids — and records per child what was
 * done (`copy_events.children`) and the event's final status (SENT, or FAILED with the reason). Idempotent: a second
 * call for a handled event does nothing; a modify that already holds at the broker is not sent again.
 *
 * Left PENDING (the engine's sweep hands it on again): while an earlier event of the same master order is still
 * pending (changes apply in order), while the PLACE event is, or while a child's order is still being sent.
 */
export async function mirrorChange(eventId: string): Promise<void> {
  const event = await findCopyEvent(eventId);
  if (!event || event.status !== "PENDING" || (event.kind !== "MODIFY" && event.kind !== "CANCEL")) return;
  const group = await findScanGroup(event.groupId);
  if (!group) return;
  const events = await listMasterOrderEvents(group.id, event.masterOrderId);
  const earlier = events.filter((e) => e.seq < event.seq);
  if (earlier.some((e) => e.status === "PENDING")) return;
  const finish = (status: "SENT" | "SKIPPED" | "FAILED", reason: string | null, children?: MirroredChild[]) =>
    finishMirrorEvent(
      event.id,
      { status, reason, ...(children ? { children: children as unknown as Prisma.InputJsonValue } : {}) },
      new Date(),
    );
  const place = earlier.find((e) => e.kind === "PLACE");
  if (!place)
    return void (await finish("SKIPPED", "the master order's placement was not recorded: nothing was copied"));
  if (place.status !== "SENT" || place.runId === null || place.legIndex === null)
    return void (await finish(
      "SKIPPED",
      `the master order was not copied (${place.status.toLowerCase()}${place.reason ? `: ${place.reason}` : ""})`,
    ));
  const run = await findRunPlan(place.runId);
  const sizes = run ? sizesOf(run.plan, place.legIndex) : null;
  if (!run || !sizes)
    return void (await finish("FAILED", "the copy run of the master order's placement is unreadable"));

  const key = copyIntentKey(group.id, event.masterOrderId, place.seq);
  const intents = (await listLegIntents(place.runId, place.legIndex)).filter(
    (r) => r.id === intentId(key, r.accountId, 0, r.sliceIndex),
  );
  const byAccount = new Map<string, IntentRow[]>();
  for (const r of intents) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);
  const rules = new Map<string, CopyChildRule>(group.children.map((c) => [c.accountId, c]));
  const ctx = {
    kind: event.kind,
    ownerId: group.ownerId,
    change: modificationOf(event, place, earlier),
    sizes,
    runActive: run.status === "RUNNING",
    increaseBlocked: event.kind === "MODIFY" ? await entriesBlockedReason(group.ownerId) : null,
  };
  const settled = settledBefore(event.children);
  // The group's children in their order first (as the log lists them), then any no longer in the group.
  const position = (id: string) => [...rules.keys()].indexOf(id) >>> 0;
  const accountsInOrder = [...byAccount].sort((a, b) => position(a[0]) - position(b[0]));
  const children = await Promise.all(
    accountsInOrder.map(
      ([accountId, rows]) => settled.get(accountId) ?? mirrorChild(ctx, rules.get(accountId) ?? null, rows),
    ),
  );
  // A child that got nothing at placement has no order to change: a larger share is reported, not placed.
  if (event.kind === "MODIFY")
    for (const rule of rules.values()) {
      if (byAccount.has(rule.accountId) || !rule.enabled) continue;
      const share = reproportionChild(ctx.change, rule, [], sizes);
      if (share.notMirrored > 0)
        children.push({
          accountId: rule.accountId,
          action: rule.reverse ? (place.action === "BUY" ? "SELL" : "BUY") : (place.action as "BUY" | "SELL"),
          quantity: 0,
          reason: share.reason,
          outcome: "noted",
          slices: [],
        });
    }

  if (children.some((c) => c.outcome === "waiting")) {
    await saveMirrorProgress(event.id, children as unknown as Prisma.InputJsonValue);
    return;
  }
  const failed = children.filter((c) => c.outcome === "failed");
  const name = (id: string) => rules.get(id)?.accountName ?? id;
  const reason = failed.map((c) => `${name(c.accountId)}: ${c.reason ?? "refused"}`).join("; ") || null;
  if (failed.length > 0) log().warn({ eventId, groupId: group.id, reason }, "copy change refused for some children");
  if (children.length === 0) return void (await finish("SKIPPED", "no child has an order of this master order", []));
  await finish(failed.length > 0 ? "FAILED" : "SENT", reason, children);
}
