import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import type { SessionRow, StoredSessionRow } from "@/lib/trading/session-sources";

type Row = Awaited<ReturnType<typeof marketSessionRows>>[number];

/** Stored sessions (OpenAlgo's and admins' overrides) of some IST dates. */
export function marketSessionRows(dates: readonly string[]) {
  return db().marketSession.findMany({ where: { tradingDate: { in: [...dates] } } });
}

/** Stored sessions from `from` to `to` (IST dates, both included). */
export function marketSessionsBetween(from: string, to: string) {
  return db().marketSession.findMany({
    where: { tradingDate: { gte: from, lte: to } },
    orderBy: [{ tradingDate: "asc" }, { exchange: "asc" }],
  });
}

/** A stored row as the pure core reads it (instants as epoch ms). */
export function storedSessionRow(r: Row): StoredSessionRow {
  return {
    date: r.tradingDate,
    exchange: r.exchange,
    closed: r.closed,
    opensAt: r.opensAt?.getTime() ?? null,
    closesAt: r.closesAt?.getTime() ?? null,
    description: r.description,
    kind: r.kind,
    source: r.source,
  };
}

const data = (r: SessionRow) => ({
  tradingDate: r.date,
  exchange: r.exchange,
  closed: r.closed,
  opensAt: r.opensAt === null ? null : new Date(r.opensAt),
  closesAt: r.closesAt === null ? null : new Date(r.closesAt),
  description: r.description,
  kind: r.kind,
});

/**
 * Makes OpenAlgo's rows from `from` on exactly `rows` (what the source no longer reports is dropped), and adds the
 * earlier ones it does not have yet. Admins' rows are never touched. One transaction: readers see the old set or the
 * new one.
 */
export async function replaceOpenAlgoSessions(tx: Tx, rows: readonly SessionRow[], from: string): Promise<void> {
  await tx.marketSession.deleteMany({ where: { source: "OPENALGO", tradingDate: { gte: from } } });
  const future = rows.filter((r) => r.date >= from);
  const past = rows.filter((r) => r.date < from);
  if (future.length)
    await tx.marketSession.createMany({ data: future.map((r) => ({ ...data(r), source: "OPENALGO" })) });
  if (past.length)
    await tx.marketSession.createMany({
      data: past.map((r) => ({ ...data(r), source: "OPENALGO" })),
      skipDuplicates: true,
    });
}

/** Stores (or replaces) an admin's override of one exchange's session on one date. */
export function upsertAdminSession(tx: Tx, row: SessionRow, userId: string) {
  const key = { tradingDate: row.date, exchange: row.exchange, source: "ADMIN" as const };
  return tx.marketSession.upsert({
    where: { tradingDate_exchange_source: key },
    create: { ...data(row), source: "ADMIN", updatedById: userId },
    update: { ...data(row), updatedById: userId },
  });
}

/** Removes an admin's override; the stored row it was (null when there was none). */
export async function deleteAdminSession(tx: Tx, date: string, exchange: string) {
  const key = { tradingDate: date, exchange, source: "ADMIN" as const };
  const found = await tx.marketSession.findUnique({ where: { tradingDate_exchange_source: key } });
  if (found) await tx.marketSession.delete({ where: { tradingDate_exchange_source: key } });
  return found;
}
