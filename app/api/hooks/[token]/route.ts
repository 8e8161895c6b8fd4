/**
 * Outside alerts (TradingView and the like): machine ingress, cross-origin by design, JSON or plain text, so it does
 * not go through route() — the service runs the checks in their documented order (docs/webhooks.md "The way in").
 * The token is the credential: it is hashed for the lookup and never logged.
 */
import { readBodyBytes } from "@/lib/http/body";
import { clientIp, errorResponse } from "@/lib/http/errors";
import { ingestAlert, SIGNATURE_HEADER } from "@/lib/services/webhooks";

export const dynamic = "force-dynamic";

export async function POST(req: Request, ctx: { params: Promise<{ token: string }> }): Promise<Response> {
  const startedAt = performance.now();
  try {
    const { token } = await ctx.params;
    const answer = await ingestAlert({
      token: token.slice(0, 200),
      ip: clientIp(req.headers),
      contentType: req.headers.get("content-type"),
      signature: req.headers.get(SIGNATURE_HEADER),
      readBody: (limit) => readBodyBytes(req, limit),
      startedAt,
    });
    return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  } catch (e) {
    return errorResponse(e);
  }
}
