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

export function jsonify<T>(value: T): Jsonified<T> {
  if (value instanceof Decimal) return value.toString() as Jsonified<T>;
  if (value instanceof Date) return value.toISOString() as Jsonified<T>;
  if (Array.isArray(value)) return value.map(jsonify) as Jsonified<T>;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonify(v)])) as Jsonified<T>;
  }
  return value as Jsonified<T>;
}
