import { z } from "zod";
import { route } from "@/lib/http/route";
import { retryRunIntents } from "@/lib/services/dispatch-actions";

const params = z.object({ id: z.uuid("Not a run id") });

/** Retries the run's failed intents, through reconciliation first (never a blind resend). */
export const POST = route({ access: "write", params }, async ({ user, params, ip }) => retryRunIntents(user, params.id, ip));
