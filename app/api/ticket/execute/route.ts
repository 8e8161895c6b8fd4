import { route } from "@/lib/http/route";
import { executeTicket, ticketExecuteSchema } from "@/lib/services/tickets";

/** A manual ticket: a one-leg run to the chosen accounts, exactly once per idempotency key. */
export const POST = route({ access: "write", body: ticketExecuteSchema }, async ({ user, body, ip }) => {
  const run = await executeTicket(user, body, ip);
  return Response.json(run, { status: run.created ? 201 : 200 });
});
