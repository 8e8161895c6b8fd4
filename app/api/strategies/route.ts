import { route } from "@/lib/http/route";
import { createStrategy, listStrategies, strategyInputSchema } from "@/lib/services/strategies";

export const dynamic = "force-dynamic";

export const GET = route({}, async ({ user }) => ({ strategies: await listStrategies(user) }));

export const POST = route({ access: "write", body: strategyInputSchema }, async ({ user, body, ip }) =>
  Response.json({ strategy: await createStrategy(user, body, ip) }, { status: 201 }),
);
