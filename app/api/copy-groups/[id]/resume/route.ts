import { route } from "@/lib/http/route";
import { copyGroupParams, setCopyGroupPaused } from "@/lib/services/copy";

export const POST = route({ access: "write", params: copyGroupParams }, async ({ user, params, ip }) =>
  setCopyGroupPaused(user, params.id, false, ip),
);
