import { v1Route } from "@/lib/http/api-v1/route";
import { listStrategies as op } from "@/lib/http/api-v1/operations-desk";
import { listStrategies } from "@/lib/services/strategies";

export const dynamic = "force-dynamic";

export const GET = v1Route(op, async ({ user }) => ({ strategies: await listStrategies(user) }));
