import { accountIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { deleteAccount, getAccount, updateAccount, updateAccountSchema } from "@/lib/services/accounts";

const params = accountIdParams;

export const GET = route({ params }, async ({ user, params }) => ({ account: await getAccount(user, params.id) }));

export const PATCH = route(
  { access: "write", params, body: updateAccountSchema },
  async ({ user, params, body, ip }) => ({
    account: await updateAccount(user, params.id, body, ip),
  }),
);

/** Unlinks the account; refused (409) while the broker reports open positions. */
export const DELETE = route({ access: "write", params }, async ({ user, params, ip }) => {
  await deleteAccount(user, params.id, ip);
  return { ok: true };
});
