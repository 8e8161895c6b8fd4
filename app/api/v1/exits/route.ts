import { v1Route } from "@/lib/http/api-v1/route";
import { listExits as listOp, requestExit as requestOp } from "@/lib/http/api-v1/operations-orders";
import { listExits, requestExit } from "@/lib/services/exits";

export const dynamic = "force-dynamic";

export const GET = v1Route(listOp, async ({ user, query }) => ({ exits: await listExits(user, query.status) }));

export const POST = v1Route(requestOp, async ({ user, body, ip }) => requestExit(user, body, ip));
