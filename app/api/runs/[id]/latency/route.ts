import { z } from "zod";
import { route } from "@/lib/http/route";
import { runLatency } from "@/lib/services/pnl-history";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a run id") });

/** Per-account fan-out latency of the run, its histogram and p50/p99 (docs/market-data.md "P&L history"). */
export const GET = route({ params }, async ({ user, params }) => ({ latency: await runLatency(user, params.id) }));
