import { findStrategy, type StrategyRow } from "@/lib/db/queries/strategies";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { strategyDefinitionSchema, type StrategyDefinition } from "@/lib/trading/strategy";

// A strategy row as the services read it: both the CRUD entry (./index) and run planning (./strategy-runs) use it.
export type Row = StrategyRow;

/** Parses a stored definition (it was validated on write; parsing again keeps the types honest). */
export function definitionOf(row: Pick<Row, "definition">): StrategyDefinition {
  return strategyDefinitionSchema.parse(row.definition);
}

/** The strategy `id` within the actor's scope; 404 when it does not exist or is someone else's. */
export async function findStrategyRow(actor: Actor, id: string): Promise<Row> {
  const row = await findStrategy(scopeOf(actor), id);
  if (!row) throw new NotFoundError("Strategy");
  return row;
}
