import { strategyIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { previewRequestSchema, previewStrategy } from "@/lib/services/strategies";

export const dynamic = "force-dynamic";
const params = strategyIdParams;

/** The plan per account (lots, quantity, slices, phases, margin) before anything is sent; 422 when it cannot be planned. */
export const POST = route({ params, body: previewRequestSchema }, async ({ user, params, body }) => ({
  preview: await previewStrategy(user, params.id, body),
}));
