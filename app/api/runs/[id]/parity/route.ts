import { z } from "zod";
import { route } from "@/lib/http/route";
import { getRunParity } from "@/lib/services/positions";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a run id") });

/** Target vs filled quantity per account and leg of one run. */
export const GET = route({ params }, async ({ user, params }) => ({ parity: await getRunParity(user, params.id) }));
