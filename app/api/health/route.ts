import { healthCheck } from "@/lib/services/system";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Database and Redis reachability, for compose healthchecks and uptime probes: 200 when both answer, else 503. */
export const GET = route({ access: "public" }, async () => {
  const report = await healthCheck();
  return Response.json(report, { status: report.status === "ok" ? 200 : 503 });
});
