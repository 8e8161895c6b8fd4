import { db, sqlRows } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import { coalescer } from "@/lib/db/queries/coalesce";

/**
 * Kill-switch queries. A switch is GLOBAL (every owner) or OWNER (one owner's accounts); it is engaged while
 * `rearmedAt` is null. Which owner a caller may name is decided by the service (lib/services/kill-switch).
 */
export type SwitchTarget = { global: true } | { global: false; ownerId: string };

const engagedWhere = (t: SwitchTarget) => ({
  rearmedAt: null,
  ...(t.global ? { scope: "GLOBAL" as const } : { scope: "OWNER" as const, ownerId: t.ownerId }),
});

export type EngagedSwitch = { scope: "GLOBAL" | "OWNER"; engagedAt: Date; engagedBy: string | null };

const COVERING_SQL = `SELECT k.scope::text AS scope, k.owner_id::text AS "ownerId", k.engaged_at AS "engagedAt",
       u.name AS "engagedBy"
  FROM kill_switches k LEFT JOIN users u ON u.id = k.engaged_by
 WHERE k.rearmed_at IS NULL AND (k.scope = 'GLOBAL' OR k.owner_id = ANY($1::uuid[]))`;

/**
 * The engaged switch covering each owner (the global one first), with the engager's name, or null; one statement.
 * Inside a transaction through it; outside, plain SQL on the same pool (dispatch asks before every send:
 * docs/database-access.md "Hot paths").
 */
async function readCovering(owners: readonly string[], tx?: Tx): Promise<(EngagedSwitch | null)[]> {
  type Row = EngagedSwitch & { ownerId: string | null };
  const ids = [...new Set(owners)];
  const rows = tx ? await tx.$queryRawUnsafe<Row[]>(COVERING_SQL, ids) : await sqlRows<Row>(COVERING_SQL, [ids]);
  const global = rows.find((r) => r.scope === "GLOBAL");
  return owners.map((o) => {
    const hit = global ?? rows.find((r) => r.ownerId === o);
    return hit ? { scope: hit.scope, engagedAt: hit.engagedAt, engagedBy: hit.engagedBy } : null;
  });
}

/**
 * Outside a transaction, concurrent asks share one statement that starts after every one of them was made (a
 * coalescer), so each still reads what was committed before it asked: hundreds of dispatch jobs checking before
 * they send cost one read, not hundreds.
 */
const readCoveringShared = coalescer((owners: string[]) => readCovering(owners));

/** The engaged switch that covers `ownerId` (the global one first), with the engager's name, or null. */
export async function findSwitchCovering(ownerId: string, tx?: Tx): Promise<EngagedSwitch | null> {
  return tx ? (await readCovering([ownerId], tx))[0] : readCoveringShared(ownerId);
}

/** Whether a switch covering `ownerId` (its own or the global one) was engaged at or after `since`, re-armed or not. */
export async function switchEngagedSince(ownerId: string, since: Date, tx: Tx = db()): Promise<boolean> {
  const n = await tx.killSwitch.count({
    where: { engagedAt: { gte: since }, OR: [{ scope: "GLOBAL" }, { ownerId }] },
  });
  return n > 0;
}

/** The engaged switch of exactly this target (not one that merely covers it), or null. */
export function findEngagedSwitch(target: SwitchTarget, tx: Tx = db()) {
  return tx.killSwitch.findFirst({ where: engagedWhere(target) });
}

export async function insertKillSwitch(
  data: {
    target: SwitchTarget;
    reason: string | null;
    engagedAt: Date;
    engagedById: string;
    exitId: string;
  },
  tx: Tx = db(),
): Promise<void> {
  const { target, ...rest } = data;
  await tx.killSwitch.create({
    data: { ...rest, scope: target.global ? "GLOBAL" : "OWNER", ownerId: target.global ? null : target.ownerId },
  });
}

/** Points an engaged switch at the exit now flattening its accounts. */
export async function setKillSwitchExit(id: string, exitId: string, tx: Tx = db()): Promise<void> {
  await tx.killSwitch.update({ where: { id }, data: { exitId } });
}

/** Re-arms the engaged switch of `target`; returns how many were re-armed (0 when none was engaged). */
export async function rearmKillSwitches(target: SwitchTarget, byId: string, at: Date, tx: Tx = db()): Promise<number> {
  const { count } = await tx.killSwitch.updateMany({
    where: engagedWhere(target),
    data: { rearmedAt: at, rearmedById: byId },
  });
  return count;
}

/** Engaged switches, oldest first: every one (`visibleTo` null), or the global one and those of `visibleTo`. */
export function listEngagedSwitches(visibleTo: string | null) {
  return db().killSwitch.findMany({
    where: { rearmedAt: null, ...(visibleTo === null ? {} : { OR: [{ scope: "GLOBAL" }, { ownerId: visibleTo }] }) },
    orderBy: { engagedAt: "asc" },
    include: { owner: { select: { name: true } }, engagedBy: { select: { name: true, email: true } } },
  });
}
