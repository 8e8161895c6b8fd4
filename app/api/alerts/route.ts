import { route } from "@/lib/http/route";
import { openAlerts } from "@/lib/services/alerts";

export const dynamic = "force-dynamic";

export const GET = route({}, async ({ user }) => ({ alerts: await openAlerts(user) }));
