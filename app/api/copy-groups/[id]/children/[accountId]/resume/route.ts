import { route } from "@/lib/http/route";
import { copyChildParams, setCopyChildPaused } from "@/lib/services/copy";

export const POST = route({ access: "write", params: copyChildParams }, async ({ user, params, ip }) =>
  setCopyChildPaused(user, params.id, params.accountId, false, ip),
);
