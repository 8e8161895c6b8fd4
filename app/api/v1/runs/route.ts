import { v1Route } from "@/lib/http/api-v1/route";
import { listRuns } from "@/lib/http/api-v1/operations-orders";
import { listRunViews } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

export const GET = v1Route(listRuns, async ({ user, query }) => ({ runs: await listRunViews(user, query) }));
