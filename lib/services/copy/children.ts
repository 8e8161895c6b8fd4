/**
 * A group's children (docs/copy-trading.md "The group and its children"): add or change one (PUT), remove it, pause
 * and resume it. Adding takes the owner's graph lock and runs the cycle check in the same transaction, so two saves
 * cannot close a loop between them. Audited on the group (`copyChild.*`, with the child's account id).
 */
import type { Actor } from "@/lib/auth/roles";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  deleteCopyChildRow,
  lockCopyGroup,
  setCopyChildPause,
  upsertCopyChild,
  type CopyGroupRow,
} from "@/lib/db/queries/copy-groups";
import { lockRow } from "@/lib/db/locks";
import { inTransaction, type Tx } from "@/lib/db/transaction";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { assertNoCycle, changedFields, groupAnswer, ownedAccounts, writableGroup } from "./group-access";
import { DEFAULT_PAUSE_REASON } from "./manage";
import { MAX_COPY_CHILDREN, type CopyChildSettings } from "./schemas";
import type { CopyGroupJson } from "./types";

type Child = CopyGroupRow["children"][number];

/** Runs `change` on the locked group and its child `accountId` (404 when either is gone). */
async function withLockedChild<T>(
  groupId: string,
  accountId: string,
  change: (row: CopyGroupRow, child: Child, tx: Tx) => Promise<T>,
): Promise<T> {
  return inTransaction(async (tx) => {
    const row = await lockCopyGroup(groupId, tx);
    if (!row) throw new NotFoundError("Copy group");
    const child = row.children.find((c) => c.accountId === accountId);
    if (!child) throw new NotFoundError("Child of this group");
    return change(row, child, tx);
  });
}

const settingsOf = (c: Child) => ({
  multiplier: c.multiplier.toString(),
  rounding: c.rounding,
  minOneLot: c.minOneLot,
  maxLotsPerOrder: c.maxLotsPerOrder,
  maxOpenLots: c.maxOpenLots,
  reverse: c.reverse,
});

/**
 * Adds `accountId` as a child with `input`, or changes the child's settings. A new child must be one of the owner's
 * active accounts, not the master, and must not close a cycle.
 */
export async function putCopyChild(
  actor: Actor,
  groupId: string,
  accountId: string,
  input: CopyChildSettings,
  ip: string,
): Promise<CopyGroupJson> {
  const current = await writableGroup(actor, groupId);
  const adding = !current.children.some((c) => c.accountId === accountId);
  await ownedAccounts(current.ownerId, [{ id: accountId, field: "accountId", active: adding }]);
  await inTransaction(async (tx) => {
    await lockRow(tx, "copyGraph", current.ownerId);
    const row = await lockCopyGroup(groupId, tx);
    if (!row) throw new NotFoundError("Copy group");
    const existing = row.children.find((c) => c.accountId === accountId);
    if (!existing) {
      if (row.children.length >= MAX_COPY_CHILDREN)
        throw new ConflictError(`A group has at most ${MAX_COPY_CHILDREN} children`, { accountId: ["Group is full"] });
      await assertNoCycle(tx, row.ownerId, row.masterAccountId, [accountId], () => "accountId");
    }
    const changed = existing ? changedFields(settingsOf(existing), input) : null;
    if (changed && Object.keys(changed).length === 0) return;
    await upsertCopyChild(groupId, accountId, input, tx);
    await insertAudit(
      {
        actorId: actor.id,
        action: existing ? "copyChild.update" : "copyChild.add",
        entity: "copyGroup",
        entityId: groupId,
        details: changed ? { accountId, changed } : { accountId, ...input },
        ip,
      },
      tx,
    );
  });
  return groupAnswer(groupId);
}

/** Removes the child: it gets nothing more from this group (its positions stay as they are, at its broker). */
export async function removeCopyChild(
  actor: Actor,
  groupId: string,
  accountId: string,
  ip: string,
): Promise<CopyGroupJson> {
  await writableGroup(actor, groupId);
  await withLockedChild(groupId, accountId, async (_row, child, tx) => {
    await deleteCopyChildRow(groupId, accountId, tx);
    const details = { accountId, ...settingsOf(child), enabled: child.enabled };
    await insertAudit(
      { actorId: actor.id, action: "copyChild.remove", entity: "copyGroup", entityId: groupId, details, ip },
      tx,
    );
  });
  return groupAnswer(groupId);
}

/** Pauses the child (`reason` shown beside it) or resumes it. */
export async function setCopyChildPaused(
  actor: Actor,
  groupId: string,
  accountId: string,
  paused: { reason?: string } | false,
  ip: string,
): Promise<CopyGroupJson> {
  await writableGroup(actor, groupId);
  await withLockedChild(groupId, accountId, async (_row, child, tx) => {
    const next = paused
      ? { enabled: false, pausedReason: paused.reason ?? DEFAULT_PAUSE_REASON }
      : { enabled: true, pausedReason: null };
    if (child.enabled === next.enabled && child.pausedReason === next.pausedReason) return;
    await setCopyChildPause(groupId, accountId, next, tx);
    const details = paused ? { accountId, reason: next.pausedReason } : { accountId, pausedReason: child.pausedReason };
    const action = paused ? "copyChild.pause" : "copyChild.resume";
    await insertAudit({ actorId: actor.id, action, entity: "copyGroup", entityId: groupId, details, ip }, tx);
  });
  return groupAnswer(groupId);
}
