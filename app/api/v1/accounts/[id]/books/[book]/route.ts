import { v1Route } from "@/lib/http/api-v1/route";
import { getAccountBook } from "@/lib/http/api-v1/operations-desk";
import { accountBook } from "@/lib/services/accounts";

export const dynamic = "force-dynamic";

export const GET = v1Route(getAccountBook, async ({ user, params }) => accountBook(user, params.id, params.book));
