import { route } from "@/lib/http/route";
import { copyChildParams, copyPauseSchema, setCopyChildPaused } from "@/lib/services/copy";

export const POST = route(
  { access: "write", params: copyChildParams, body: copyPauseSchema },
  async ({ user, params, body, ip }) =>
    setCopyChildPaused(user, params.id, params.accountId, { reason: body.reason }, ip),
);
