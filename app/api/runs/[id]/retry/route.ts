import { z } from "zod";
import { route } from "@/lib/http/route";
import { retryRunIntents } from "@/lib/services/dispatch";

const params = z.object({ id: z.uuid("Not a run id") });
/** `?accountId=` limits the retry to one account (the parity board's "Send missing"). */
const query = z.object({ accountId: z.uuid("Not an account id").optional() });

/** Retries the run's failed intents, through reconciliation first (never a blind resend). */
export const POST = route({ access: "write", params, query }, async ({ user, params, query, ip }) =>
  retryRunIntents(user, params.id, ip, query.accountId),
);
