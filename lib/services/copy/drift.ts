/**
 * The drift board and "sync now" (docs/copy-trading.md "What the trader sees"): per contract, the master's position
 * as the group counts it, each child's share of its copied part and the child's actual and working position; a sync
 * is a SYNC event whose child order brings one child to its share through the same hand-on as every event.
 */
import { randomUUID } from "node:crypto";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { insertAudit } from "@/lib/db/queries/audit";
import { findScanGroup, listCopyPositions, listMasterWorking, type ScanGroup } from "@/lib/db/queries/copy-engine";
import { findEventRunId, insertCopyEvents, lockCopyGroup } from "@/lib/db/queries/copy-events";
import { inTransaction, sqlTxOf } from "@/lib/db/transaction";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { adapterFor } from "@/lib/services/broker-access";
import { childShare, syncOrder } from "@/lib/trading/copy/sizing";
import { copyContractKey, type CopyContract } from "@/lib/trading/copy/types";
import { scanGroup } from "./engine";
import { exitAdjustments, exposureBook, contractSizesFor } from "./exposure";
import type { DriftBoardJson, DriftRowJson } from "./types";

async function visibleGroup(actor: Actor, groupId: string, action: "copyGroup.read" | "copyGroup.manage") {
  const group = await findScanGroup(groupId);
  if (!group) throw new NotFoundError("Copy group");
  authorize(actor, action, { ownerId: group.ownerId, what: "Copy group" });
  return group;
}

async function sizesFor(group: ScanGroup, contracts: readonly CopyContract[]) {
  const account = await loadAccountSecret(group.masterAccountId);
  return account && contracts.length > 0 ? contractSizesFor(group, adapterFor(account), contracts) : new Map();
}

/** The group's drift board: every contract the master or a child holds in the group. */
export async function copyDriftBoard(actor: Actor, groupId: string): Promise<DriftBoardJson> {
  const group = await visibleGroup(actor, groupId, "copyGroup.read");
  return { groupId: group.id, at: new Date().toISOString(), rows: await driftRows(group) };
}

/**
 * Per contract the master or a child holds: the master's count and each child's share, position and drift. In ORDERS
 * mode the count is of the master's fills of copied orders, and a child is "working" while the master's copied orders
 * in the contract still work (each side fills at its own broker).
 */
export async function driftRows(group: ScanGroup): Promise<DriftRowJson[]> {
  const [positions, book, working] = await Promise.all([
    listCopyPositions(group.id),
    exitAdjustments(group).then((adj) => exposureBook(group.id, adj)),
    group.mode === "ORDERS" ? listMasterWorking(group.id) : [],
  ]);
  const contracts = new Map<string, CopyContract>();
  for (const p of positions) contracts.set(copyContractKey(p), p);
  for (const w of working) contracts.set(copyContractKey(w), w);
  const masterWorking = new Map(working.map((w) => [copyContractKey(w), w.workingQty]));
  for (const r of book.rows()) contracts.set(copyContractKey(r.contract), r.contract);
  const sizes = await sizesFor(group, [...contracts.values()]);
  const master = new Map(positions.map((p) => [copyContractKey(p), p]));
  const exposures = new Map(book.rows().map((r) => [`${r.accountId}|${copyContractKey(r.contract)}`, r]));
  const rows: DriftRowJson[] = [...contracts.entries()].map(([k, c]) => {
    const m = master.get(k) ?? { masterQty: 0, uncopiedQty: 0 };
    const s = sizes.get(k) ?? null;
    const masterWorkingQty = masterWorking.get(k) ?? 0;
    return {
      ...c,
      lotSize: s?.lotSize ?? null,
      masterQty: m.masterQty,
      uncopiedQty: m.uncopiedQty,
      masterWorkingQty,
      children: group.children.map((rule) => {
        const e = exposures.get(`${rule.accountId}|${k}`);
        const share = s ? childShare(m.masterQty - m.uncopiedQty, rule, s) : 0;
        const expectedQty = rule.reverse ? -share : share;
        const actualQty = e?.confirmed ?? 0;
        const workingQty = e?.working ?? 0;
        const driftQty = expectedQty - actualQty - workingQty;
        return {
          accountId: rule.accountId,
          accountName: rule.accountName,
          expectedQty,
          actualQty,
          workingQty,
          driftQty,
          state:
            workingQty !== 0 || (masterWorkingQty !== 0 && driftQty !== 0)
              ? "working"
              : driftQty !== 0
                ? "drift"
                : "ok",
        };
      }),
    };
  });
  return rows.filter(
    (r) =>
      r.masterQty !== 0 ||
      r.masterWorkingQty !== 0 ||
      r.children.some((c) => c.actualQty !== 0 || c.workingQty !== 0 || c.expectedQty !== 0),
  );
}

export interface SyncInput {
  accountId: string;
  symbol?: string;
  exchange?: string;
  product?: string;
}

/**
 * "Sync now" for one child: one SYNC event per contract where the child is off its share (or only the contract
 * named), audited, then handed on at once. Returns the first event and its run (null while another run is sent).
 */
export async function syncCopyChild(
  actor: Actor,
  groupId: string,
  input: SyncInput,
  ip: string | null,
): Promise<{ eventId: string; runId: string | null }> {
  const group = await visibleGroup(actor, groupId, "copyGroup.manage");
  const rule = group.children.find((c) => c.accountId === input.accountId);
  if (!rule)
    throw new ValidationError("accountId: not a child of this group", { accountId: ["not a child of this group"] });
  const positions = (await listCopyPositions(group.id)).filter(
    (p) =>
      (!input.symbol || p.symbol === input.symbol) &&
      (!input.exchange || p.exchange === input.exchange) &&
      (!input.product || p.product === input.product),
  );
  const sizes = await sizesFor(group, positions);
  const adjust = await exitAdjustments(group);
  const ids = await inTransaction(async (tx) => {
    const sql = sqlTxOf(tx);
    await lockCopyGroup(sql, group.id);
    const book = await exposureBook(group.id, adjust, sql);
    const events = positions.flatMap((p) => {
      const s = sizes.get(copyContractKey(p));
      if (!s) return [];
      const held = book.exposure(rule.accountId, p);
      const order = syncOrder(p, { rule: { ...rule, enabled: true }, exposure: held }, s);
      if (order.quantity === 0) return [];
      return [
        {
          groupId: group.id,
          masterOrderId: `sync:${randomUUID()}`,
          seq: 1,
          kind: "SYNC" as const,
          symbol: p.symbol,
          exchange: p.exchange,
          product: p.product,
          action: order.action,
          quantity: order.quantity,
          priceType: null,
          price: null,
          triggerPrice: null,
          masterBefore: p.masterQty,
          masterAfter: p.masterQty,
          source: "sync" as const,
          masterAt: null,
          status: "PENDING" as const,
          reason: null,
          children: [{ ...order, held }],
          requestedBy: actor.id,
        },
      ];
    });
    const inserted = await insertCopyEvents(sql, events);
    await insertAudit(
      {
        actorId: actor.id,
        action: "copy.sync",
        entity: "copy_group",
        entityId: group.id,
        details: {
          accountId: rule.accountId,
          events: inserted.length,
          ...(input.symbol ? { symbol: input.symbol } : {}),
        },
        ip,
      },
      tx,
    );
    return inserted;
  });
  if (ids.length === 0) throw new ConflictError("The child is at its share already: nothing to sync");
  await scanGroup(group.id, "manual");
  // The event's own run: a scan already in progress may have handed it on (then this scan's run is another's).
  return { eventId: ids[0], runId: await findEventRunId(ids[0]) };
}
