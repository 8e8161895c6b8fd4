import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

/** Auto square-off bookkeeping: at most one square-off exit per strategy per IST trading date (`YYYY-MM-DD`). */
export async function squareOffDone(strategyId: string, tradingDate: string, tx: Tx = db()): Promise<boolean> {
  const row = await tx.squareOff.findUnique({ where: { strategyId_tradingDate: { strategyId, tradingDate } } });
  return row !== null;
}

/** Records the day's square-off of a strategy; a second record of the same day is ignored. */
export async function insertSquareOff(
  data: { strategyId: string; tradingDate: string; exitId: string; firedAt: Date },
  tx: Tx = db(),
): Promise<void> {
  await tx.squareOff.createMany({ data: [data], skipDuplicates: true });
}
