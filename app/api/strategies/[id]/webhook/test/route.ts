import { z } from "zod";
import { route } from "@/lib/http/route";
import { dryRunAlert, dryRunRequestSchema } from "@/lib/services/webhooks";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a strategy id") });

/** "Send test alert": what the alert would do now, and the plan of its entry; sends nothing, logged as DRY_RUN. */
export const POST = route(
  { access: "write", params, body: dryRunRequestSchema, maxBodyBytes: 20 * 1024 },
  async ({ user, params, body, ip }) => dryRunAlert(user, params.id, body, ip),
);
