import { accountIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { dailyLossLimitSchema, getAccountRisk, setAccountRisk } from "@/lib/services/risk";

export const dynamic = "force-dynamic";
const params = accountIdParams;

/** The account's daily loss limit and today's block, if the limit was hit. */
export const GET = route({ params }, async ({ user, params }) => getAccountRisk(user, params.id));

/** Sets (a ₹ amount as a string) or clears (null) the account's daily loss limit; audited. */
export const PUT = route({ access: "write", params, body: dailyLossLimitSchema }, async ({ user, params, body, ip }) =>
  setAccountRisk(user, params.id, body, ip),
);
