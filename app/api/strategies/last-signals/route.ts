import { route } from "@/lib/http/route";
import { lastSignals } from "@/lib/services/webhooks";

export const dynamic = "force-dynamic";

/** The newest alert of every strategy the caller may read, by strategy id (the strategy list's "last alert"). */
export const GET = route({}, async ({ user }) => ({ lastSignals: await lastSignals(user) }));
