import { runListQuerySchema } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { listRunViews } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

const query = runListQuerySchema;

export const GET = route({ query }, async ({ user, query }) => ({ runs: await listRunViews(user, query) }));
