import { v1Route } from "@/lib/http/api-v1/route";
import { getRun } from "@/lib/http/api-v1/operations-orders";
import { getRunView } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

export const GET = v1Route(getRun, async ({ user, params }) => ({ run: await getRunView(user, params.id) }));
