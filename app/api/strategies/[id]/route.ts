import { strategyIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { getStrategy, strategyUpdateSchema, updateStrategy } from "@/lib/services/strategies";

const params = strategyIdParams;

export const GET = route({ params }, async ({ user, params }) => ({ strategy: await getStrategy(user, params.id) }));

export const PATCH = route(
  { access: "write", params, body: strategyUpdateSchema },
  async ({ user, params, body, ip }) => ({
    strategy: await updateStrategy(user, params.id, body, ip),
  }),
);

/** Archives the strategy (its runs stay for the record). */
export const DELETE = route({ access: "write", params }, async ({ user, params, ip }) => ({
  strategy: await updateStrategy(user, params.id, { archived: true }, ip),
}));
