import { strategyIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { strategyPositions } from "@/lib/services/positions";

export const dynamic = "force-dynamic";

const params = strategyIdParams;

/** One strategy's ledger: net quantity, average price, realised and unrealised P&L per account and contract. */
export const GET = route({ params }, async ({ user, params }) => ({
  positions: await strategyPositions(user, params.id),
}));
