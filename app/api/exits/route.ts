import { route } from "@/lib/http/route";
import { exitListQuerySchema, exitRequestSchema, listExits, requestExit } from "@/lib/services/exits";

export const dynamic = "force-dynamic";

/** Exits with their per-account progress, newest first (`?status=PENDING|DONE|FAILED`). */
export const GET = route({ query: exitListQuerySchema }, async ({ user, query }) => ({
  exits: await listExits(user, query.status),
}));

/** Exit a run, a strategy, an account or a leg's excess; joins the active exit of the same target. 409 when nothing is open. */
export const POST = route({ access: "write", body: exitRequestSchema }, async ({ user, body, ip }) =>
  requestExit(user, body, ip),
);
