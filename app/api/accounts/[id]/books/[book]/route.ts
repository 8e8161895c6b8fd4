import { accountBookParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { accountBook } from "@/lib/services/accounts";

export const dynamic = "force-dynamic";

const params = accountBookParams;

/** One account's funds, orders, trades, positions or holdings (cached a few seconds per account). */
export const GET = route({ params }, async ({ user, params }) => accountBook(user, params.id, params.book));
