import { route } from "@/lib/http/route";
import { allPositions } from "@/lib/services/positions";

export const dynamic = "force-dynamic";

/** The positions ledger of every strategy of the caller (admins: everyone's), per account and contract. */
export const GET = route({}, async ({ user }) => ({ positions: await allPositions(user) }));
