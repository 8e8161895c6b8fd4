import { route } from "@/lib/http/route";
import { refreshCalendarNow } from "@/lib/services/calendar";

/** Refreshes the calendar from the market-data accounts' OpenAlgo now; answers how it went (200 either way). */
export const POST = route({ access: "admin" }, async ({ user, ip }) => refreshCalendarNow(user, ip));
