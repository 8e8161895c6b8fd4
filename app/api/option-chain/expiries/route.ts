import { route } from "@/lib/http/route";
import { chainExpiries, expiriesQuerySchema } from "@/lib/services/option-chain";

export const dynamic = "force-dynamic";

/** Underlyings with option chains and the option expiries of one, from the owner's market-data source. */
export const GET = route({ query: expiriesQuerySchema }, async ({ user, query }) => chainExpiries(user, query));
