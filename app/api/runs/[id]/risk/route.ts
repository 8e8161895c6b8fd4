import { runIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { changeRunRisk, getRunRisk, riskChangeSchema } from "@/lib/services/risk";

export const dynamic = "force-dynamic";
const params = runIdParams;

/** The run's risk rules, engine state, snapshot and events; 404 when the run is not armed. */
export const GET = route({ params }, async ({ user, params }) => getRunRisk(user, params.id));

/** Changes or pauses the rules of a live run (409 once a rule fired); audited, and a risk event each. */
export const PATCH = route({ access: "write", params, body: riskChangeSchema }, async ({ user, params, body, ip }) =>
  changeRunRisk(user, params.id, body, ip),
);
