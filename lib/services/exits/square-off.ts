/**
 * Auto square-off (docs/architecture.md "Exits"): every strategy whose square-off time (lib/trading/square-off.ts: its
 * own, else 15:15 for MIS) has passed on today's IST trading day is exited, reason square_off, at most once per
 * strategy per day (square_offs row). A strategy with nothing open is not marked, so a position opened later that day
 * is still caught. `now` is a parameter so tests (and a simulated clock) drive it.
 */
import { insertSquareOff, squareOffDone } from "@/lib/db/queries/square-offs";
import { listStrategyDefinitions } from "@/lib/db/queries/strategies";
import { scopeAccountIds, scopeHasWork } from "@/lib/db/queries/exit-scope";
import { log } from "@/lib/log";
import { tradingHolidaySet } from "@/lib/trading/calendar";
import { squareOffDue } from "@/lib/trading/square-off";
import { strategyDefinitionSchema } from "@/lib/trading/strategy";
import { startExit } from "@/lib/services/exits";
import { ledgerPositions } from "@/lib/services/positions";

export interface SquareOffResult {
  /** Strategies whose square-off exit was started now: `strategyId → exitId`. */
  fired: Record<string, string>;
}

export async function runSquareOff(now: Date): Promise<SquareOffResult> {
  const holidays = tradingHolidaySet();
  const strategies = await listStrategyDefinitions();
  const fired: Record<string, string> = {};
  for (const s of strategies) {
    const def = strategyDefinitionSchema.safeParse(s.definition);
    if (!def.success) continue;
    const { due, date, time } = squareOffDue(def.data, now.getTime(), holidays);
    if (!due) continue;
    if (await squareOffDone(s.id, date)) continue;
    const accountIds = await scopeAccountIds({ strategyId: s.id });
    if (accountIds.length === 0) continue;
    const held = (await ledgerPositions({ accountIds }, "strategy")).some(
      (p) => p.scope.strategyId === s.id && p.netQty !== 0,
    );
    if (!held && !(await scopeHasWork({ strategyId: s.id }))) continue;
    const exit = await startExit(
      {
        ownerId: s.ownerId,
        scope: "STRATEGY",
        targetKey: `strategy:${s.id}`,
        strategyId: s.id,
        note: `auto square-off at ${time} IST`,
      },
      accountIds,
      "SQUARE_OFF",
      null,
    );
    await insertSquareOff({ strategyId: s.id, tradingDate: date, exitId: exit.exitId, firedAt: now });
    log().info({ strategyId: s.id, exitId: exit.exitId, date, time }, "auto square-off");
    fired[s.id] = exit.exitId;
  }
  return { fired };
}
