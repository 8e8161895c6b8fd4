import { v1Route } from "@/lib/http/api-v1/route";
import { cancelRun } from "@/lib/http/api-v1/operations-orders";
import { cancelRunOrders } from "@/lib/services/dispatch";

export const dynamic = "force-dynamic";

export const POST = v1Route(cancelRun, async ({ user, params, ip }) => cancelRunOrders(user, params.id, ip));
