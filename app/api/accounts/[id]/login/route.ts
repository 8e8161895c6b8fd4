import { accountIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { startBrokerLogin } from "@/lib/services/accounts";

/** Starts a direct-broker login: the broker's login page to send the browser to (docs/direct-brokers.md "Login"). */
export const POST = route({ access: "write", params: accountIdParams }, async ({ user, params, ip }) =>
  startBrokerLogin(user, params.id, ip),
);
