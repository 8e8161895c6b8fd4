import { PayloadTooLargeError } from "@/lib/errors";

/** Default cap on a request body: far above any form or plan MirrorDesk sends, far below anything that hurts. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Refuses a body whose declared Content-Length is over `limit` bytes, before anything is read. */
export function assertDeclaredLength(headers: Headers, limit: number): void {
  const declared = headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared.trim()) || Number(declared) > limit)) {
    throw new PayloadTooLargeError(limit);
  }
}

/**
 * Reads the body as bytes, at most `limit`. Content-Length is checked first and the stream is counted while it is read
 * (chunked uploads declare no length), so an oversized body is cut off after `limit` bytes, not buffered.
 */
export async function readBodyBytes(req: Request, limit: number): Promise<Uint8Array> {
  assertDeclaredLength(req.headers, limit);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Reads the body as UTF-8 text, at most `limit` bytes (see readBodyBytes). */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  return new TextDecoder().decode(await readBodyBytes(req, limit));
}
