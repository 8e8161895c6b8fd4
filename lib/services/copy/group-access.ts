/**
 * What every management change checks first: the group in the actor's reach, the accounts the owner's own, and the
 * copy graph without a cycle (docs/copy-trading.md "The group and its children").
 */
import type { Prisma } from "@/lib/generated/prisma/client";
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import {
  findAccountNames,
  findCopyEdges,
  findCopyGroup,
  findLastCopyEvents,
  findOwnedAccountStates,
  type CopyGroupRow,
} from "@/lib/db/queries/copy-groups";
import type { Tx } from "@/lib/db/transaction";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { copyCycle, describeCycle } from "@/lib/trading/copy/graph";
import { groupJson } from "./group-json";
import type { CopyGroupJson } from "./types";

const WHAT = "Copy group";

/** The group if the actor may read it (404 for one that does not exist or is out of reach). */
export async function readableGroup(actor: Actor, id: string): Promise<CopyGroupRow> {
  authorize(actor, "copyGroup.read");
  const row = await findCopyGroup(scopeOf(actor), id);
  if (!row) throw new NotFoundError(WHAT);
  authorize(actor, "copyGroup.read", { ownerId: row.ownerId, what: WHAT });
  return row;
}

/** The group if the actor may change it: 403 for a read-only role, 404 out of reach. */
export async function writableGroup(actor: Actor, id: string): Promise<CopyGroupRow> {
  authorize(actor, "copyGroup.manage");
  const row = await findCopyGroup(scopeOf(actor), id);
  if (!row) throw new NotFoundError(WHAT);
  authorize(actor, "copyGroup.manage", { ownerId: row.ownerId, what: WHAT });
  return row;
}

/** The group as the routes answer it, read afresh (after a change). */
export async function groupAnswer(id: string): Promise<CopyGroupJson> {
  const row = await findCopyGroup({ ownerId: null }, id);
  if (!row) throw new NotFoundError(WHAT);
  const [last] = await findLastCopyEvents([id]);
  return groupJson(row, last ?? null);
}

/**
 * Account names by id, after checking each is the owner's (and, where `active`, switched on); a refusal names the
 * field each bad id came from.
 */
export async function ownedAccounts(
  ownerId: string,
  wanted: readonly { id: string; field: string; active: boolean }[],
  tx?: Tx,
): Promise<Map<string, string>> {
  const rows = await findOwnedAccountStates(
    ownerId,
    wanted.map((w) => w.id),
    tx,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const fields: Record<string, string[]> = {};
  for (const w of wanted) {
    const row = byId.get(w.id);
    if (!row) fields[w.field] = ["Not one of the owner's accounts"];
    else if (w.active && !row.active) fields[w.field] = [`${row.name} is switched off: switch it on first`];
  }
  if (Object.keys(fields).length > 0) throw new ValidationError("Some accounts cannot be used in this group", fields);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Refuses (409) a group whose children would include its master or reach it through the owner's other groups. Call
 * it holding the owner's `copyGraph` lock, in the transaction that stores the edges.
 */
export async function assertNoCycle(
  tx: Tx,
  ownerId: string,
  master: string,
  children: readonly string[],
  fieldOf: (childId: string) => string,
): Promise<void> {
  const cycle = copyCycle(await findCopyEdges(ownerId, tx), { master, children });
  if (!cycle) return;
  const names = await findAccountNames(cycle, tx);
  const path = describeCycle(cycle, names);
  const message =
    cycle.length === 2
      ? `${names.get(master) ?? master} is this group's master and cannot also be its child`
      : `Copying would go round in a circle: ${path}`;
  throw new ConflictError(message, { [fieldOf(cycle[1])]: [message] });
}

/** `{field: {from, to}}` (as JSON) for each field of `next` whose value differs from `before`, for the audit log. */
export function changedFields(before: Record<string, unknown>, next: Record<string, unknown>): Prisma.InputJsonObject {
  const out: Record<string, Prisma.InputJsonObject> = {};
  for (const [k, to] of Object.entries(next)) {
    if (to === undefined) continue;
    const [fromText, toText] = [JSON.stringify(before[k] ?? null), JSON.stringify(to)];
    if (fromText !== toText) out[k] = { from: JSON.parse(fromText), to: JSON.parse(toText) };
  }
  return out;
}
