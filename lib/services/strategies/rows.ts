import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import { ownerFilter, scopeOf, type Actor } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { strategyDefinitionSchema, type StrategyDefinition } from "@/lib/trading/strategy";

// A strategy row as the services read it: both the CRUD entry (./index) and run planning (./strategy-runs) use it.
export type Row = Prisma.StrategyGetPayload<object>;

/** Parses a stored definition (it was validated on write; parsing again keeps the types honest). */
export function definitionOf(row: Pick<Row, "definition">): StrategyDefinition {
  return strategyDefinitionSchema.parse(row.definition);
}

const where = (actor: Actor, id: string): Prisma.StrategyWhereInput => ({ id, ...ownerFilter(scopeOf(actor)) });

export async function findStrategyRow(actor: Actor, id: string): Promise<Row> {
  const row = await db().strategy.findFirst({ where: where(actor, id) });
  if (!row) throw new NotFoundError("Strategy");
  return row;
}
