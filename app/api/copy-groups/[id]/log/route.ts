import { route } from "@/lib/http/route";
import { copyGroupParams, copyLog, copyLogQuerySchema } from "@/lib/services/copy";

export const dynamic = "force-dynamic";

/** The copy log, newest first: `?status=&kind=&symbol=` filter it, `cursor=<nextCursor>` pages to older events. */
export const GET = route({ params: copyGroupParams, query: copyLogQuerySchema }, async ({ user, params, query }) =>
  copyLog(user, params.id, query),
);
