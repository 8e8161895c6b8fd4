import { route } from "@/lib/http/route";
import { tradingSettingsView } from "@/lib/services/settings";

export const dynamic = "force-dynamic";

/** Instrument settings, quality grades and per-lot margins (every signed-in user reads them; admins edit). */
export const GET = route({}, async () => tradingSettingsView());
