import { z } from "zod";
import { route } from "@/lib/http/route";
import {
  createWebhook,
  getWebhook,
  revokeWebhook,
  updateWebhookSettings,
  webhookSettingsSchema,
} from "@/lib/services/webhooks";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a strategy id") });

/** The strategy's webhook (never its URL token or signing secret), or null. */
export const GET = route({ params }, async ({ user, params }) => ({ webhook: await getWebhook(user, params.id) }));

/** Creates the webhook; the answer carries the full URL, shown this once. */
export const POST = route({ access: "write", params }, async ({ user, params, ip }) =>
  Response.json(await createWebhook(user, params.id, ip), { status: 201 }),
);

/** Settings; with `signing: "generate"` the answer carries the new signing secret, shown this once. */
export const PATCH = route(
  { access: "write", params, body: webhookSettingsSchema },
  async ({ user, params, body, ip }) => updateWebhookSettings(user, params.id, body, ip),
);

/** Revokes: the URL stops working at once; the alert log stays. */
export const DELETE = route({ access: "write", params }, async ({ user, params, ip }) => ({
  webhook: await revokeWebhook(user, params.id, ip),
}));
