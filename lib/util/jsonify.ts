import Decimal from "decimal.js";

/** Deep-converts Decimals to strings and Dates to ISO strings, so broker data can be sent as JSON exactly. */
export type Jsonified<T> = T extends Decimal
  ? string
  : T extends Date
    ? string
    : T extends (infer U)[]
      ? Jsonified<U>[]
      : T extends object
        ? { [K in keyof T]: Jsonified<T[K]> }
        : T;

/**
 * The value as JSON will carry it, still as an object: Decimals become their exact strings, Dates ISO strings, and
 * keys holding `undefined` are dropped (as JSON drops them). Decimals are recognised by decimal.js's own test, not
 * `instanceof`: Prisma returns Decimal columns as its bundled copy of decimal.js, a different class.
 */
export function jsonify<T>(value: T): Jsonified<T> {
  if (value === null || typeof value !== "object") return value as Jsonified<T>;
  if (Decimal.isDecimal(value)) return value.toString() as Jsonified<T>;
  if (value instanceof Date) return value.toISOString() as Jsonified<T>;
  // Plain loops, not entries → filter → map → fromEntries: a run's plan (hundreds of accounts) goes through here on
  // the trigger's request path, and the intermediate arrays were most of its cost (docs/performance.md).
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = jsonify(value[i]);
    return out as Jsonified<T>;
  }
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const k of Object.keys(source)) {
    const v = source[k];
    if (v === undefined) continue;
    // An own "__proto__" key (JSON.parse makes them) stays a plain key, as fromEntries kept it.
    if (k === "__proto__")
      Object.defineProperty(out, k, { value: jsonify(v), enumerable: true, writable: true, configurable: true });
    else out[k] = jsonify(v);
  }
  return out as Jsonified<T>;
}
