import { timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { authorize } from "@/lib/auth/authorize";
import { UnauthenticatedError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { metricsRegistry } from "@/lib/metrics";

export const dynamic = "force-dynamic";

function bearerMatches(req: Request, token: string | undefined): boolean {
  const given = req.headers.get("authorization")?.replace(/^Bearer\s+/i, "");
  if (!token || !given || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

/** Prometheus metrics: for admins, or for a scraper presenting `Authorization: Bearer $METRICS_TOKEN`. */
export const GET = route({ access: "public" }, async ({ req, user }) => {
  if (!bearerMatches(req, env().METRICS_TOKEN)) {
    if (!user) throw new UnauthenticatedError("Sign in as an admin or present the metrics token");
    authorize(user, "metrics.read");
  }
  const registry = metricsRegistry();
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType } });
});
