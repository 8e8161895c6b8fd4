import { z } from "zod";
import { isUniqueViolation } from "@/lib/db/errors";
import { inTransaction } from "@/lib/db/transaction";
import { countOwnedAccounts } from "@/lib/db/queries/accounts";
import { findStrategiesByOwner, insertStrategy, lockStrategy, updateStrategyRow } from "@/lib/db/queries/strategies";
import { insertAudit } from "@/lib/db/queries/audit";
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { ConflictError, ValidationError } from "@/lib/errors";
import {
  MAX_STRATEGY_LEGS,
  strategyDefinitionSchema,
  strategyLegSchema,
  type StrategyDefinition,
} from "@/lib/trading/strategy";
import { jsonify } from "@/lib/util/jsonify";
import { definitionOf, findStrategyRow, type Row } from "./rows";

export { definitionOf, findStrategyRow } from "./rows";
// Planning and running a strategy (preview, execute, the plan per account) is the sibling ./strategy-runs.
export {
  accountInputs,
  executeRequestSchema,
  executeStrategy,
  PlanningError,
  planFor,
  planStrategyEntry,
  previewRequestSchema,
  previewStrategy,
  selectAccounts,
} from "./strategy-runs";

const tag = z.string().trim().min(1).max(30);
const fields = {
  name: z.string().trim().min(1, "Enter a name").max(80),
  definition: strategyDefinitionSchema,
  accountIds: z.array(z.uuid("Not an account id")).max(500),
  accountTags: z.array(tag).max(20),
};
export const strategyInputSchema = z.object({
  ...fields,
  accountIds: fields.accountIds.default([]),
  accountTags: fields.accountTags.default([]),
});
// Built from the fields without defaults: zod 4's `.partial()` would still fill them, so a rename would clear the
// strategy's accounts and tags.
export const strategyUpdateSchema = z.object({ ...fields, archived: z.boolean() }).partial();
export const addLegsSchema = z.object({ legs: z.array(strategyLegSchema).min(1).max(10) });

export interface StrategyView {
  id: string;
  ownerId: string;
  name: string;
  definition: ReturnType<typeof jsonify<StrategyDefinition>>;
  accountIds: string[];
  accountTags: string[];
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

const toView = (r: Row): StrategyView => ({
  id: r.id,
  ownerId: r.ownerId,
  name: r.name,
  definition: jsonify(definitionOf(r)),
  accountIds: r.accountIds,
  accountTags: r.accountTags,
  archived: r.archived,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** Every selected account id must belong to the strategy's owner. */
async function checkAccounts(ownerId: string, ids: readonly string[]) {
  if (ids.length === 0) return;
  const owned = await countOwnedAccounts(ownerId, ids);
  if (owned !== new Set(ids).size)
    throw new ValidationError("Some selected accounts are not yours", { accountIds: ["Unknown account"] });
}

export async function listStrategies(actor: Actor, opts: { includeArchived?: boolean } = {}): Promise<StrategyView[]> {
  const rows = await findStrategiesByOwner(scopeOf(actor), opts);
  return rows.map(toView);
}

export async function getStrategy(actor: Actor, id: string): Promise<StrategyView> {
  return toView(await findStrategyRow(actor, id));
}

export async function createStrategy(
  actor: Actor,
  input: z.infer<typeof strategyInputSchema>,
  ip: string,
): Promise<StrategyView> {
  authorize(actor, "strategy.write");
  await checkAccounts(actor.id, input.accountIds);
  try {
    return await inTransaction(async (tx) => {
      const row = await insertStrategy(
        {
          ownerId: actor.id,
          name: input.name,
          definition: jsonify(input.definition) as object,
          accountIds: input.accountIds,
          accountTags: input.accountTags,
        },
        tx,
      );
      await insertAudit(
        {
          actorId: actor.id,
          action: "strategy.create",
          entity: "strategy",
          entityId: row.id,
          details: { name: row.name },
          ip,
        },
        tx,
      );
      return toView(row);
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw new ConflictError("You already have a strategy with this name", { name: ["Already used"] });
    throw e;
  }
}

export async function updateStrategy(
  actor: Actor,
  id: string,
  input: z.infer<typeof strategyUpdateSchema>,
  ip: string,
): Promise<StrategyView> {
  authorize(actor, "strategy.write");
  const current = await findStrategyRow(actor, id);
  if (input.accountIds) await checkAccounts(current.ownerId, input.accountIds);
  try {
    return await inTransaction(async (tx) => {
      const row = await updateStrategyRow(
        id,
        { ...input, ...(input.definition ? { definition: jsonify(input.definition) as object } : {}) },
        tx,
      );
      await insertAudit(
        {
          actorId: actor.id,
          action: "strategy.update",
          entity: "strategy",
          entityId: id,
          details: { changed: Object.keys(input) },
          ip,
        },
        tx,
      );
      return toView(row);
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw new ConflictError("You already have a strategy with this name", { name: ["Already used"] });
    throw e;
  }
}

/**
 * Adjustments: appends legs to a (possibly live) strategy. Existing legs keep their indices, so intents of earlier
 * runs stay attributable; the new indices are returned so the caller can execute just those. The row is locked
 * (FOR UPDATE) while the legs are read and appended: two concurrent adjustments are applied one after the other,
 * so neither loses its legs and each is told the indices its own legs landed at.
 */
export async function addStrategyLegs(actor: Actor, id: string, input: z.infer<typeof addLegsSchema>, ip: string) {
  authorize(actor, "strategy.write");
  await findStrategyRow(actor, id);
  const { row, addedLegIndexes } = await inTransaction(
    async (tx) => {
      const current = await lockStrategy(id, tx);
      const definition = definitionOf(current);
      const total = definition.legs.length + input.legs.length;
      if (total > MAX_STRATEGY_LEGS) {
        const room = MAX_STRATEGY_LEGS - definition.legs.length;
        throw new ValidationError(
          `A strategy holds at most ${MAX_STRATEGY_LEGS} legs; this one has ${definition.legs.length}, so at most ${room} more can be added`,
          {
            legs: [`At most ${room} more`],
          },
        );
      }
      const next = strategyDefinitionSchema.parse({
        ...jsonify(definition),
        legs: [...jsonify(definition.legs), ...jsonify(input.legs)],
      });
      const indexes = input.legs.map((_, i) => definition.legs.length + i);
      const updated = await updateStrategyRow(id, { definition: jsonify(next) as object }, tx);
      await insertAudit(
        {
          actorId: actor.id,
          action: "strategy.adjust",
          entity: "strategy",
          entityId: id,
          details: { addedLegIndexes: indexes },
          ip,
        },
        tx,
      );
      return { row: updated, addedLegIndexes: indexes };
    },
    // Waiters queue on the row lock while holding a pooled connection: allow for a burst of them.
    { maxWait: 10_000, timeout: 10_000 },
  );
  return { strategy: toView(row), addedLegIndexes };
}
