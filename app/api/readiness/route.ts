import { route } from "@/lib/http/route";
import { readinessBoard } from "@/lib/services/readiness";

export const dynamic = "force-dynamic";

/** The readiness board: the latest check of every active account the caller may read (docs/readiness.md). */
export const GET = route({}, async ({ user }) => readinessBoard(user));
