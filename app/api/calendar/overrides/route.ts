import { route } from "@/lib/http/route";
import { overrideKeySchema, removeOverride, saveOverride, sessionOverrideSchema } from "@/lib/services/calendar";

/** Sets an admin's override of one exchange's session on one IST date (closed, or open in an IST window). */
export const PUT = route(
  { access: "admin", body: sessionOverrideSchema, maxBodyBytes: 4_096 },
  async ({ user, body, ip }) => saveOverride(user, body, ip),
);

/** Removes the override of `?date=&exchange=`: the day goes back to OpenAlgo's session or the defaults. */
export const DELETE = route({ access: "admin", query: overrideKeySchema }, async ({ user, query, ip }) =>
  removeOverride(user, query, ip),
);
