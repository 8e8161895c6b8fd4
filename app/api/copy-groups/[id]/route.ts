import { route } from "@/lib/http/route";
import {
  copyGroupParams,
  copyGroupUpdateSchema,
  deleteCopyGroup,
  getCopyGroup,
  updateCopyGroup,
} from "@/lib/services/copy";

export const dynamic = "force-dynamic";
const params = copyGroupParams;

export const GET = route({ params }, async ({ user, params }) => getCopyGroup(user, params.id));

/** Name, filters, window; the master and the mode cannot change (409). */
export const PATCH = route(
  { access: "write", params, body: copyGroupUpdateSchema },
  async ({ user, params, body, ip }) => updateCopyGroup(user, params.id, body, ip),
);

/** Stops copying at once; the group's runs stay in the run history. */
export const DELETE = route({ access: "write", params }, async ({ user, params, ip }) =>
  deleteCopyGroup(user, params.id, ip),
);
