/**
 * The envelope of an alert before `parseAlert` reads it (docs/webhooks.md "Alert formats"): which content types are
 * taken, how large a body may be and how its bytes become text. Pure.
 */
/** Largest alert body, in bytes (not characters: `€` is three bytes). */
export const MAX_ALERT_BYTES = 16_384;

/**
 * `json` for `application/json`, `text` for `text/plain` (parameters such as `charset=utf-8` allowed, media type
 * case-insensitive), null for anything else or no content type at all (answered 415).
 */
export function alertBodyKind(contentType: string | null): "json" | "text" | null {
  if (contentType === null) return null;
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  if (media === "application/json") return "json";
  if (media === "text/plain") return "text";
  return null;
}

/**
 * The text of a body, or null when it is not valid UTF-8 (answered 400 naming `body`). Decoding is strict: a lenient
 * decoder would turn junk bytes into U+FFFD characters that could pass as an `id`.
 */
export function decodeAlertBody(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
