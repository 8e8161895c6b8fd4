/**
 * Managing copy groups (docs/copy-trading.md "The group and its children"): create (recording the master's baseline),
 * read, list, change, pause, resume and delete. The children have their own module (./children.ts). Every change is
 * audited in its own transaction, with the changed fields; no secret is ever part of a group.
 */
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  deleteCopyGroupRow,
  findLastCopyEvents,
  insertCopyGroup,
  listCopyGroupRows,
  lockCopyGroup,
  rebaseCopyBaseline,
  updateCopyGroupRow,
  type CopyGroupRow,
} from "@/lib/db/queries/copy-groups";
import { switchEngagedSince } from "@/lib/db/queries/kill-switches";
import { isUniqueViolation } from "@/lib/db/errors";
import { lockRow } from "@/lib/db/locks";
import { inTransaction, type Tx } from "@/lib/db/transaction";
import { ConflictError, KillSwitchError, NotFoundError, ValidationError } from "@/lib/errors";
import { entriesBlockedReason } from "@/lib/services/kill-switch";
import { readMasterSnapshot, recordBaseline } from "./baseline";
import { assertNoCycle, changedFields, groupAnswer, ownedAccounts, readableGroup, writableGroup } from "./group-access";
import { groupJson } from "./group-json";
import { copyWindowError, type CopyGroupCreateInput, type CopyGroupUpdateInput } from "./schemas";
import type { CopyGroupJson } from "./types";

/** The reason a group or child shows when a person paused it without giving one. */
export const DEFAULT_PAUSE_REASON = "Paused by hand";

const nameTaken = (e: unknown) =>
  isUniqueViolation(e)
    ? new ConflictError("You already have a copy group with this name", { name: ["Already used"] })
    : e;

function assertWindow(start: string | null, end: string | null) {
  const error = copyWindowError(start, end);
  if (error) throw new ValidationError("The copy window is not valid", error);
}

export async function listCopyGroups(actor: Actor): Promise<CopyGroupJson[]> {
  authorize(actor, "copyGroup.read");
  const rows = await listCopyGroupRows(scopeOf(actor));
  const last = new Map((await findLastCopyEvents(rows.map((r) => r.id))).map((e) => [e.groupId, e]));
  return rows.map((r) => groupJson(r, last.get(r.id) ?? null));
}

export async function getCopyGroup(actor: Actor, id: string): Promise<CopyGroupJson> {
  const row = await readableGroup(actor, id);
  const [last] = await findLastCopyEvents([id]);
  return groupJson(row, last ?? null);
}

/**
 * A new group of the actor's own accounts. The master's books are read first (a master that cannot be read refuses
 * the group, 409, and nothing is stored); then, in one transaction under the owner's graph lock, the cycle check, the
 * group, its children, its baseline and the audit row.
 */
export async function createCopyGroup(actor: Actor, input: CopyGroupCreateInput, ip: string): Promise<CopyGroupJson> {
  authorize(actor, "copyGroup.manage");
  const ownerId = actor.id;
  assertWindow(input.windowStart, input.windowEnd);
  const fieldOf = (childId: string) => `children.${input.children.findIndex((c) => c.accountId === childId)}.accountId`;
  await ownedAccounts(ownerId, [
    { id: input.masterAccountId, field: "masterAccountId", active: true },
    ...input.children.map((c, i) => ({ id: c.accountId, field: `children.${i}.accountId`, active: true })),
  ]);
  const { children, masterAccountId, ...settings } = input;
  // Refused before the broker is asked: a master listed as its own child.
  if (children.some((c) => c.accountId === masterAccountId))
    await inTransaction((tx) => assertNoCycle(tx, ownerId, masterAccountId, [masterAccountId], fieldOf));
  const master = await loadAccountSecret(masterAccountId);
  if (!master) throw new NotFoundError("Master account");
  const snapshot = await readMasterSnapshot(master);
  const id = await inTransaction(async (tx) => {
    await lockRow(tx, "copyGraph", ownerId);
    await assertNoCycle(
      tx,
      ownerId,
      masterAccountId,
      children.map((c) => c.accountId),
      fieldOf,
    );
    const groupId = await insertCopyGroup(
      { ...settings, ownerId, masterAccountId, startedAt: snapshot.at },
      children,
      tx,
    );
    const baseline = await recordBaseline(groupId, snapshot, tx);
    const details = { ...settings, masterAccountId, children, baseline };
    await insertAudit(
      { actorId: actor.id, action: "copyGroup.create", entity: "copyGroup", entityId: groupId, details, ip },
      tx,
    );
    return groupId;
  }).catch((e) => {
    throw nameTaken(e);
  });
  return groupAnswer(id);
}

/** Runs `change` on the group locked, 404 if it went away meanwhile. */
async function withLockedGroup<T>(id: string, change: (row: CopyGroupRow, tx: Tx) => Promise<T>): Promise<T> {
  return inTransaction(async (tx) => {
    const row = await lockCopyGroup(id, tx);
    if (!row) throw new NotFoundError("Copy group");
    return change(row, tx);
  });
}

/** Changes a group's name, filters or window. Its master and mode are fixed for its life (409: make a new group). */
export async function updateCopyGroup(
  actor: Actor,
  id: string,
  input: CopyGroupUpdateInput,
  ip: string,
): Promise<CopyGroupJson> {
  const current = await writableGroup(actor, id);
  const { masterAccountId, mode, ...data } = input;
  if (masterAccountId !== undefined && masterAccountId !== current.masterAccountId)
    throw new ConflictError("A group's master account cannot change: create a new group for another master", {
      masterAccountId: ["Cannot change after creation"],
    });
  if (mode !== undefined && mode !== current.mode)
    throw new ConflictError("A group's mode cannot change: create a new group to copy in the other mode", {
      mode: ["Cannot change after creation"],
    });
  await withLockedGroup(id, async (row, tx) => {
    assertWindow(
      data.windowStart === undefined ? row.windowStart : data.windowStart,
      data.windowEnd === undefined ? row.windowEnd : data.windowEnd,
    );
    const changed = changedFields(row, data);
    if (Object.keys(changed).length === 0) return;
    await updateCopyGroupRow(id, data, tx);
    await insertAudit(
      { actorId: actor.id, action: "copyGroup.update", entity: "copyGroup", entityId: id, details: { changed }, ip },
      tx,
    );
  }).catch((e) => {
    throw nameTaken(e);
  });
  return groupAnswer(id);
}

/**
 * Deletes the group: copying stops at once (the engine finds no group to scan), its children, baseline and copy log
 * go with it; its COPY runs stay in the run history.
 */
export async function deleteCopyGroup(actor: Actor, id: string, ip: string): Promise<{ id: string; deleted: true }> {
  await writableGroup(actor, id);
  await withLockedGroup(id, async (row, tx) => {
    await deleteCopyGroupRow(id, tx);
    const details = {
      name: row.name,
      masterAccountId: row.masterAccountId,
      mode: row.mode,
      children: row.children.map((c) => c.accountId),
    };
    await insertAudit(
      { actorId: actor.id, action: "copyGroup.delete", entity: "copyGroup", entityId: id, details, ip },
      tx,
    );
  });
  return { id, deleted: true };
}

/**
 * Pauses (`reason` shown beside the group) or resumes the group. A paused group's master is still watched and its
 * events recorded as skipped, so resuming continues from there with no new baseline — except after a kill switch
 * (docs/copy-trading.md "The kill switch"): while one covers the owner a resume is refused (423), and once re-armed,
 * resuming a group a switch flattened since copying (re)started re-bases it on the master's books as they are now.
 */
export async function setCopyGroupPaused(
  actor: Actor,
  id: string,
  paused: { reason?: string } | false,
  ip: string,
): Promise<CopyGroupJson> {
  const current = await writableGroup(actor, id);
  const rebase = !paused && !current.enabled && (await killSwitchFlattenedSince(current));
  for (let attempt = 1; ; attempt += 1) {
    const snapshot = rebase ? await masterSnapshotOf(current.masterAccountId) : null;
    const done = await withLockedGroup(id, async (row, tx) => {
      const next = paused
        ? { enabled: false, pausedReason: paused.reason ?? DEFAULT_PAUSE_REASON }
        : { enabled: true, pausedReason: null };
      if (row.enabled === next.enabled && row.pausedReason === next.pausedReason) return true;
      const rebased =
        snapshot && (await rebaseCopyBaseline(id, snapshot.at, snapshot.orders, snapshot.positions, tx))
          ? { orders: snapshot.orders.length, positions: snapshot.positions.length }
          : null;
      if (snapshot && !rebased) return false;
      await updateCopyGroupRow(id, snapshot ? { ...next, startedAt: snapshot.at } : next, tx);
      const details = paused
        ? { reason: next.pausedReason }
        : { pausedReason: row.pausedReason, ...(rebased ? { rebased } : {}) };
      const action = paused ? "copyGroup.pause" : "copyGroup.resume";
      await insertAudit({ actorId: actor.id, action, entity: "copyGroup", entityId: id, details, ip }, tx);
      return true;
    });
    if (done) return groupAnswer(id);
    if (attempt === REBASE_ATTEMPTS)
      throw new ConflictError("The master kept trading while copying was resumed: try again", {
        masterAccountId: ["Book kept changing"],
      });
  }
}

/** Reads of the master tried when resuming re-bases a group and the master trades between the read and the write. */
const REBASE_ATTEMPTS = 3;

/**
 * Whether a resume must re-base the group: 423 while a kill switch covers the owner; true when one engaged since
 * copying (re)started (its flatten closed positions with orders the group does not count).
 */
async function killSwitchFlattenedSince(group: { ownerId: string; startedAt: Date }): Promise<boolean> {
  const blocked = await entriesBlockedReason(group.ownerId);
  if (blocked) throw new KillSwitchError(`${blocked}. Resume copying once it is re-armed.`);
  return switchEngagedSince(group.ownerId, group.startedAt);
}

async function masterSnapshotOf(masterAccountId: string) {
  const master = await loadAccountSecret(masterAccountId);
  if (!master) throw new NotFoundError("Master account");
  return readMasterSnapshot(master);
}
