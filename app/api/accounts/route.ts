import { route } from "@/lib/http/route";
import { createAccount, createAccountSchema, listAccountsFor } from "@/lib/services/accounts";

export const dynamic = "force-dynamic";

export const GET = route({}, async ({ user }) => ({ accounts: await listAccountsFor(user) }));

/** Links an account: the connection is tested first, and nothing is saved if the test fails. */
export const POST = route({ access: "write", body: createAccountSchema }, async ({ user, body, ip }) =>
  Response.json({ account: await createAccount(user, body, ip) }, { status: 201 }),
);
