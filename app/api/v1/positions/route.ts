import { v1Route } from "@/lib/http/api-v1/route";
import { listPositions } from "@/lib/http/api-v1/operations-desk";
import { allPositions } from "@/lib/services/positions";

export const dynamic = "force-dynamic";

export const GET = v1Route(listPositions, async ({ user }) => ({ positions: await allPositions(user) }));
