import { db } from "@/lib/db/client";

/**
 * What may stop an account taking new entries on an IST date: a daily-loss block (docs/risk.md "Daily loss limit")
 * and its latest readiness check of that date (docs/readiness.md), per account id.
 */
export async function entryGateRows(accountIds: readonly string[], tradingDate: string) {
  if (accountIds.length === 0) return { blocks: new Map<string, string>(), readiness: new Map<string, string>() };
  const ids = [...accountIds];
  const [blocks, checks] = await Promise.all([
    db().accountDayBlock.findMany({
      where: { accountId: { in: ids }, tradingDate },
      select: { accountId: true, reason: true },
    }),
    db().readinessCheck.findMany({
      where: { accountId: { in: ids }, tradingDate },
      orderBy: [{ accountId: "asc" }, { checkedAt: "desc" }],
      distinct: ["accountId"],
      select: { accountId: true, status: true },
    }),
  ]);
  return {
    blocks: new Map(blocks.map((b) => [b.accountId, b.reason])),
    readiness: new Map(checks.map((c) => [c.accountId, c.status as string])),
  };
}
