import { v1Route } from "@/lib/http/api-v1/route";
import { listAccounts } from "@/lib/http/api-v1/operations-desk";
import { listAccountsFor } from "@/lib/services/accounts";

export const dynamic = "force-dynamic";

export const GET = v1Route(listAccounts, async ({ user }) => ({ accounts: await listAccountsFor(user) }));
