import { z } from "zod";
import { route } from "@/lib/http/route";
import { getRunView } from "@/lib/services/runs";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a run id") });

export const GET = route({ params }, async ({ user, params }) => ({ run: await getRunView(user, params.id) }));
