import { z } from "zod";
import { route } from "@/lib/http/route";
import { runMtm } from "@/lib/services/pnl-history";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a run id") });

/** The run's P&L curve (docs/market-data.md "P&L history"). */
export const GET = route({ params }, async ({ user, params }) => ({ curve: await runMtm(user, params.id) }));
