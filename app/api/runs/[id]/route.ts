import { runIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { getRunView } from "@/lib/services/runs";

export const dynamic = "force-dynamic";
const params = runIdParams;

export const GET = route({ params }, async ({ user, params }) => ({ run: await getRunView(user, params.id) }));
