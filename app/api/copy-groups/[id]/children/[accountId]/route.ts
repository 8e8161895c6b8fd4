import { route } from "@/lib/http/route";
import { copyChildParams, copyChildSettingsSchema, putCopyChild, removeCopyChild } from "@/lib/services/copy";

const params = copyChildParams;

/** Adds the account as a child, or changes the child's settings (omitted settings take their defaults). */
export const PUT = route(
  { access: "write", params, body: copyChildSettingsSchema },
  async ({ user, params, body, ip }) => putCopyChild(user, params.id, params.accountId, body, ip),
);

export const DELETE = route({ access: "write", params }, async ({ user, params, ip }) =>
  removeCopyChild(user, params.id, params.accountId, ip),
);
