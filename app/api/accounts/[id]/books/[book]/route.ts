import { z } from "zod";
import { route } from "@/lib/http/route";
import { accountBook, bookSchema } from "@/lib/services/accounts";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.uuid("Not an account id"), book: bookSchema });

/** One account's funds, orders, trades, positions or holdings (cached a few seconds per account). */
export const GET = route({ params }, async ({ user, params }) => accountBook(user, params.id, params.book));
