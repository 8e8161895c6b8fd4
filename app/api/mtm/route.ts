import { route } from "@/lib/http/route";
import { dashboardMtm, mtmDayQuerySchema, todayIst } from "@/lib/services/pnl-history";

export const dynamic = "force-dynamic";

/** The sum of the caller's accounts' P&L curves over one IST day, today by default (docs/market-data.md). */
export const GET = route({ query: mtmDayQuerySchema }, async ({ user, query }) => ({
  curve: await dashboardMtm(user, query.day ?? todayIst(new Date())),
}));
