/**
 * Python's `repr()` for the JSON-like values marshmallow puts in an error dict: OpenAlgo's order endpoints send
 * `str(errors)` as their 400 `message` (docs/openalgo.md "Validation errors"), e.g. `"{'quantity': ['Missing data for
 * required field.']}"`.
 */

/**
 * Python's repr of a number: `1.5`, `1e-05`, `1e+16`. Integral values print without `.0` because JSON-parsed
 * numbers cannot tell `2` from `2.0`; callers only format non-integral floats or genuine ints.
 */
export function pyNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "nan" : n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    // Python switches to exponent form outside [1e-4, 1e16) and pads the exponent to two digits.
    const [mant, exp] = n.toExponential().split("e");
    const sign = exp.startsWith("-") ? "-" : "+";
    const digits = exp.replace(/^[+-]/, "").padStart(2, "0");
    return `${mant}e${sign}${digits}`;
  }
  return String(n);
}

/** Python's `repr()` of a str: single quotes unless the text has a `'` and no `"`. */
export function pyString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of JSON-like data; all-digit dict keys print as ints (marshmallow's list indices). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return pyNumber(v);
  if (typeof v === "string") return pyString(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (typeof v === "object") {
    const parts = Object.entries(v as Record<string, unknown>).map(
      ([k, val]) => `${/^\d+$/.test(k) ? k : pyString(k)}: ${pyRepr(val)}`,
    );
    return `{${parts.join(", ")}}`;
  }
  return pyString(String(v));
}
