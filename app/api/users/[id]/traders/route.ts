import { z } from "zod";
import { route } from "@/lib/http/route";
import { setViewerTraders, viewerTradersSchema } from "@/lib/services/users";

const params = z.object({ id: z.uuid("Not a user id") });

/** Attach a viewer to exactly these traders, whose desks they then read (admins only). */
export const PUT = route(
  { access: "admin", params, body: viewerTradersSchema },
  async ({ user, params, body, ip }) => ({
    traderIds: await setViewerTraders(user, params.id, body, ip),
  }),
);
