import { v1Route } from "@/lib/http/api-v1/route";
import { getStrategy as op } from "@/lib/http/api-v1/operations-desk";
import { getStrategy } from "@/lib/services/strategies";

export const dynamic = "force-dynamic";

export const GET = v1Route(op, async ({ user, params }) => ({ strategy: await getStrategy(user, params.id) }));
