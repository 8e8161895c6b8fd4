import { z } from "zod";
import { route } from "@/lib/http/route";
import { mtmDayQuerySchema, strategyMtm, todayIst } from "@/lib/services/pnl-history";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a strategy id") });

/** The strategy's P&L curve over one IST day, today by default (docs/market-data.md "P&L history"). */
export const GET = route({ params, query: mtmDayQuerySchema }, async ({ user, params, query }) => ({
  curve: await strategyMtm(user, params.id, query.day ?? todayIst(new Date())),
}));
