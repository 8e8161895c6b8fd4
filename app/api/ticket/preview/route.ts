import { route } from "@/lib/http/route";
import { previewTicket, ticketRequestSchema } from "@/lib/services/tickets";

export const dynamic = "force-dynamic";

export const POST = route({ body: ticketRequestSchema }, async ({ user, body }) => ({
  preview: await previewTicket(user, body),
}));
