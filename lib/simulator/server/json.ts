/**
 * JSON writers that reproduce the byte-level formatting OpenAlgo's clients see (docs/openalgo.md "Transport",
 * "WebSocket"):  - `flaskJson`: Flask `jsonify` — compact, keys sorted recursively, trailing newline;
 *  - `pythonJson`: Python `json.dumps` defaults — `", "` / `": "` separators, insertion order (WS frames,
 *    optionchain/optionsymbol bodies, flask-restx bodies such as the 429);
 * Both escape non-ASCII as `\uXXXX` like Python's `ensure_ascii=True` (`₹` arrives as `\u20b9`).
 */

const NON_ASCII = /[\u0080-\uffff]/g;
// A separate non-global twin: `test` on a /g regex is stateful (lastIndex).
const HAS_NON_ASCII = /[\u0080-\uffff]/;

function escapeNonAscii(text: string): string {
  return text.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function str(s: string): string {
  const quoted = JSON.stringify(s);
  // Cheap test first: almost every string on the hot path is ASCII.
  return HAS_NON_ASCII.test(quoted) ? escapeNonAscii(quoted) : quoted;
}

function num(n: number): string {
  // Python's json.dumps writes NaN/Infinity literally, but no client can parse that; null is the safe reading.
  return Number.isFinite(n) ? String(n) : "null";
}

function writeSorted(value: unknown): string {
  switch (typeof value) {
    case "string":
      return str(value);
    case "number":
      return num(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) out += (i ? "," : "") + writeSorted(value[i]);
        return out + "]";
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      let out = "{";
      for (let i = 0; i < keys.length; i++) out += (i ? "," : "") + str(keys[i]) + ":" + writeSorted(obj[keys[i]]);
      return out + "}";
    }
    default:
      return "null";
  }
}

function writePython(value: unknown): string {
  switch (typeof value) {
    case "string":
      return str(value);
    case "number":
      return num(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return "[" + value.map(writePython).join(", ") + "]";
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) parts.push(str(k) + ": " + writePython(v));
      }
      return "{" + parts.join(", ") + "}";
    }
    default:
      return "null";
  }
}

/** Flask `jsonify` body: compact, keys sorted at every depth, trailing newline. */
export function flaskJson(value: unknown): string {
  return writeSorted(value) + "\n";
}

/** Python `json.dumps(value)` with default separators and insertion order (no trailing newline). */
export function pythonJson(value: unknown): string {
  return writePython(value);
}

/** A body produced by flask-restx itself (429, bad JSON 400, 500): Python spacing plus a trailing newline. */
export function restxJson(value: unknown): string {
  return writePython(value) + "\n";
}
