import { route } from "@/lib/http/route";
import { chainQuerySchema, chainSnapshot } from "@/lib/services/option-chain";

export const dynamic = "force-dynamic";

/** The option chain around the live ATM, once (the stream at /api/stream/option-chain keeps it live). */
export const GET = route({ query: chainQuerySchema }, async ({ user, query }) => ({
  chain: await chainSnapshot(user, query),
}));
