import { route } from "@/lib/http/route";
import { listRiskRunViews } from "@/lib/services/risk";

export const dynamic = "force-dynamic";

/** Armed runs that are live or fired in the last 24 h, with their rules, state and latest snapshot (docs/risk.md). */
export const GET = route({}, async ({ user }) => listRiskRunViews(user));
