import { route } from "@/lib/http/route";
import { calendarQuerySchema, calendarView } from "@/lib/services/calendar";

export const dynamic = "force-dynamic";

/**
 * The trading calendar from `from` to `to` (IST dates; default this month): each exchange's session per day with its
 * source, admins' overrides, expiry days and the last refresh. Every signed-in user may read it.
 */
export const GET = route({ query: calendarQuerySchema }, async ({ user, query }) => calendarView(user, query));
