import { NextRequest } from "next/server";
import { env } from "@/lib/env";
import { CrossOriginError } from "@/lib/errors";
import { DEFAULT_MAX_BODY_BYTES, readBodyText } from "@/lib/http/body";
import { errorResponse } from "@/lib/http/errors";
import { isSameOriginRequest, MUTATING_METHODS } from "@/lib/http/same-origin";

/**
 * The same-origin check and body cap of `route()` for a handler MirrorDesk does not write itself (next-auth's, which
 * posts forms, so JSON is not required): a cross-site state change gets 403, an oversized body 413, and the handler
 * receives the already-read body.
 */
export function guardHandler(handler: (req: NextRequest) => Promise<Response>, maxBodyBytes = DEFAULT_MAX_BODY_BYTES) {
  return async (req: NextRequest): Promise<Response> => {
    try {
      if (!MUTATING_METHODS.has(req.method.toUpperCase())) return await handler(req);
      if (!isSameOriginRequest(req.headers, { appUrl: env().APP_URL, trustHost: env().AUTH_TRUST_HOST }))
        throw new CrossOriginError();
      const body = await readBodyText(req, maxBodyBytes);
      const headers = new Headers(req.headers);
      headers.delete("content-length");
      return await handler(new NextRequest(req.url, { method: req.method, headers, body: body || undefined }));
    } catch (e) {
      return errorResponse(e);
    }
  };
}
