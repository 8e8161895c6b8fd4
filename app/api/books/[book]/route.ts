import { z } from "zod";
import { route } from "@/lib/http/route";
import { aggregateBook, bookSchema } from "@/lib/services/accounts";

export const dynamic = "force-dynamic";

const params = z.object({ book: bookSchema });
const query = z.object({
  accounts: z
    .string()
    .max(20_000)
    .optional()
    .transform((v) => (v ? v.split(",").filter(Boolean) : undefined))
    .pipe(z.array(z.uuid("Not an account id")).max(500).optional()),
});

/** One book across all of the user's active accounts (admins: everyone's), one entry per account. */
export const GET = route({ params, query }, async ({ user, params, query }) => ({
  accounts: await aggregateBook(user, params.book, { accountIds: query.accounts }),
}));
