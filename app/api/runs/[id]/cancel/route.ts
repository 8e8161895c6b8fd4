import { runIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { cancelRunOrders } from "@/lib/services/dispatch";

const params = runIdParams;

/** Cancels every open broker order of the run. */
export const POST = route({ access: "write", params }, async ({ user, params, ip }) =>
  cancelRunOrders(user, params.id, ip),
);
