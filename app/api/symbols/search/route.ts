import { route } from "@/lib/http/route";
import { searchSymbols, symbolSearchSchema } from "@/lib/services/tickets";

export const dynamic = "force-dynamic";

export const GET = route({ query: symbolSearchSchema }, async ({ user, query }) => ({
  results: await searchSymbols(user, query),
}));
