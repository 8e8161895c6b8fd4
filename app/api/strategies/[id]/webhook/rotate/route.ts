import { z } from "zod";
import { route } from "@/lib/http/route";
import { rotateWebhookToken } from "@/lib/services/webhooks";

export const dynamic = "force-dynamic";
const params = z.object({ id: z.uuid("Not a strategy id") });

/** A new URL token; the old URL answers 404 from now on. The new full URL is in the answer, shown this once. */
export const POST = route({ access: "write", params }, async ({ user, params, ip }) =>
  rotateWebhookToken(user, params.id, ip),
);
