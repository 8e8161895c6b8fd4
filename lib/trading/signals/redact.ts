/**
 * What of an alert body is kept in the alert log (docs/webhooks.md "Alert formats"): secrets masked, size capped.
 * JSON bodies keep their shape with the values of secret-looking keys (at any depth) replaced; other bodies have
 * MirrorDesk tokens and `key=value` secrets masked.
 */
export const REDACTED = "[redacted]";
export const TRUNCATED = "…[truncated]";

const SECRET_KEY = /api.?key|secret|token|password|passwd|signature|auth/i;
/** Webhook tokens and API keys anywhere in text. */
const MIRRORDESK_SECRET = /\b(whk|mdk)_[A-Za-z0-9_-]+/g;
/** `apikey=...`, `token: ...`, `"password":"..."` in free text: the key is kept, the value masked. */
const SECRET_PAIR =
  /(["']?[A-Za-z0-9_.-]*(?:api.?key|secret|token|password|passwd|signature|auth)[A-Za-z0-9_.-]*["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;]+)/gi;

export function redactAlertBody(body: string, maxChars = 16_384): string {
  return cap(redactWhole(body), maxChars);
}

function redactWhole(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.stringify(redactValue(JSON.parse(trimmed) as unknown));
    } catch {
      // Not JSON after all: masked as text below.
    }
  }
  return redactText(body);
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? REDACTED : redactValue(inner);
    return out;
  }
  return value;
}

function redactText(text: string): string {
  return text
    .replace(SECRET_PAIR, (_all, key: string) => `${key}${REDACTED}`)
    .replace(MIRRORDESK_SECRET, (_all, prefix: string) => `${prefix}_${REDACTED}`);
}

function cap(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = Math.max(0, maxChars - TRUNCATED.length);
  // Never split a surrogate pair.
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut) + TRUNCATED;
}
