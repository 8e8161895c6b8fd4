import { db } from "@/lib/db/client";

/** Stored sessions (OpenAlgo's and admins' overrides) of some IST dates. */
export function marketSessionRows(dates: readonly string[]) {
  return db().marketSession.findMany({ where: { tradingDate: { in: [...dates] } } });
}
