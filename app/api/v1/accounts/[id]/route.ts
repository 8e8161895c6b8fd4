import { v1Route } from "@/lib/http/api-v1/route";
import { getAccount as op } from "@/lib/http/api-v1/operations-desk";
import { getAccount } from "@/lib/services/accounts";

export const dynamic = "force-dynamic";

export const GET = v1Route(op, async ({ user, params }) => ({ account: await getAccount(user, params.id) }));
