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
  if (Decimal.isDecimal(value)) return value.toString() as Jsonified<T>;
  if (value instanceof Date) return value.toISOString() as Jsonified<T>;
  if (Array.isArray(value)) return value.map(jsonify) as Jsonified<T>;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, jsonify(v)]),
    ) as Jsonified<T>;
  }
  return value as Jsonified<T>;
}
