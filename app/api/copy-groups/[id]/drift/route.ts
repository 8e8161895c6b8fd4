import { z } from "zod";
import { route } from "@/lib/http/route";
import { copyDriftBoard } from "@/lib/services/copy";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a copy group id") });

/** Per contract: the master's position, each child's share and actual position, and the drift between them. */
export const GET = route({ params }, async ({ user, params }) => copyDriftBoard(user, params.id));
