/**
 * A small marshmallow-3-alike used by the simulator's routes, so that 400 bodies match OpenAlgo's byte for byte
 * (docs/openalgo.md "Validation errors"). zod cannot reproduce marshmallow's messages, its error-key
 * order (declared fields first, then unknown keys, then post-load checks) or its Float/Int coercion rules, so the
 * simulator's edge uses this instead; the rest of the product keeps zod.
 */
import type { InstanceMode, RouteResult } from "@/lib/simulator/types";
import { pyNumber, pyRepr } from "@/lib/simulator/python-repr";

/** marshmallow's error dict: field → messages, or a nested dict (nested schemas; list items keyed by index). */
export type FieldErrors = { [key: string]: string[] | FieldErrors };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

type Out<T> = { ok: true; value: T } | { ok: false; errors: string[] | FieldErrors };

export const MSG = {
  required: "Missing data for required field.",
  unknown: "Unknown field.",
  null: "Field may not be null.",
  string: "Not a valid string.",
  number: "Not a valid number.",
  integer: "Not a valid integer.",
  boolean: "Not a valid boolean.",
  list: "Not a valid list.",
  special: "Special numeric values (nan or infinity) are not permitted.",
  inputType: "Invalid input type.",
} as const;

// Method-signature form keeps the parameter bivariant, so a Field<string> is usable where a Field<unknown> is.
type Validator<T> = { check(value: T): string | undefined }["check"];

interface FieldSpec<T> {
  deserialize(raw: unknown): Out<T>;
  validators: Validator<T>[];
  required: boolean;
  hasDefault: boolean;
  defaultValue?: T;
  allowNull: boolean;
}

/** One field. Immutable: every modifier returns a new field. */
export class Field<T> {
  constructor(readonly spec: FieldSpec<T>) {}

  /** May be absent (the value is then `undefined`). */
  optional(): Field<T | undefined> {
    return new Field<T | undefined>({ ...(this.spec as FieldSpec<T | undefined>), required: false });
  }

  /** May be absent; `value` is used then (marshmallow `load_default`). */
  default(value: T): Field<T> {
    return new Field<T>({ ...this.spec, required: false, hasDefault: true, defaultValue: value });
  }

  /** JSON null is accepted as `null` (marshmallow `allow_none=True`). */
  nullable(): Field<T | null> {
    return new Field<T | null>({ ...(this.spec as unknown as FieldSpec<T | null>), allowNull: true });
  }

  /** Adds a validator; it returns an error message or undefined. All validators run, like marshmallow's. */
  check(fn: (value: T) => string | undefined): Field<T> {
    return new Field<T>({ ...this.spec, validators: [...this.spec.validators, fn] });
  }

  /** Parses a value that is present in the input. */
  parse(raw: unknown): Out<T> {
    if (raw === null) {
      return this.spec.allowNull ? { ok: true, value: null as T } : { ok: false, errors: [MSG.null] };
    }
    const out = this.spec.deserialize(raw);
    if (!out.ok) return out;
    const errors: string[] = [];
    for (const v of this.spec.validators) {
      const e = v(out.value);
      if (e !== undefined) errors.push(e);
    }
    return errors.length ? { ok: false, errors } : out;
  }
}

function make<T>(deserialize: (raw: unknown) => Out<T>): Field<T> {
  return new Field<T>({ deserialize, validators: [], required: true, hasDefault: false, allowNull: false });
}

// Python's float() grammar (decimal only: no hex, no empty string), plus inf/nan which Float then refuses.
const FLOAT_RE = /^\s*[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?\s*$/;
const SPECIAL_RE = /^\s*[+-]?(inf|infinity|nan)\s*$/i;
const INT_RE = /^\s*[+-]?\d+(_\d+)*\s*$/;

function toFloat(raw: unknown): Out<number> {
  if (typeof raw === "boolean") return { ok: false, errors: [MSG.number] };
  if (typeof raw === "number")
    return Number.isFinite(raw) ? { ok: true, value: raw } : { ok: false, errors: [MSG.special] };
  if (typeof raw === "string") {
    if (SPECIAL_RE.test(raw)) return { ok: false, errors: [MSG.special] };
    if (FLOAT_RE.test(raw)) return { ok: true, value: Number(raw.replace(/_/g, "").trim()) };
  }
  return { ok: false, errors: [MSG.number] };
}

function toInt(raw: unknown): Out<number> {
  if (typeof raw === "boolean") return { ok: false, errors: [MSG.integer] };
  // int(20.7) in Python truncates a float, while int("20.7") raises: marshmallow inherits both.
  if (typeof raw === "number")
    return Number.isFinite(raw) ? { ok: true, value: Math.trunc(raw) } : { ok: false, errors: [MSG.integer] };
  if (typeof raw === "string" && INT_RE.test(raw)) return { ok: true, value: Number(raw.replace(/_/g, "").trim()) };
  return { ok: false, errors: [MSG.integer] };
}

const TRUTHY = new Set<unknown>([
  "t",
  "T",
  "true",
  "True",
  "TRUE",
  "on",
  "On",
  "ON",
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "1",
  1,
  true,
]);
const FALSY = new Set<unknown>([
  "f",
  "F",
  "false",
  "False",
  "FALSE",
  "off",
  "Off",
  "OFF",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "0",
  0,
  false,
]);

export interface StringOptions {
  min?: number;
  max?: number;
  /** Replaces marshmallow's default Length message. */
  lengthError?: string;
}

export interface RangeOptions {
  min?: number;
  max?: number;
  minInclusive?: boolean;
  maxInclusive?: boolean;
  /** Replaces marshmallow's default Range message (OpenAlgo sets one on most fields). */
  error?: string;
}

export interface EnumOptions {
  /** Also accept the all-lowercase spelling of each choice (OpenAlgo's `OneOf(["BUY","SELL","buy","sell"])`). */
  lowercase?: boolean;
  /** Accept any letter case. The message still lists the choices as written. */
  caseInsensitive?: boolean;
}

function lengthMessage(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined)
    return min === max ? `Length must be ${min}.` : `Length must be between ${min} and ${max}.`;
  if (min !== undefined) return `Shorter than minimum length ${min}.`;
  return `Longer than maximum length ${max}.`;
}

function rangeMessage(o: RangeOptions): string {
  const lo = o.minInclusive === false ? "greater than" : "greater than or equal to";
  const hi = o.maxInclusive === false ? "less than" : "less than or equal to";
  if (o.min !== undefined && o.max !== undefined)
    return `Must be ${lo} ${pyNumber(o.min)} and ${hi} ${pyNumber(o.max)}.`;
  if (o.min !== undefined) return `Must be ${lo} ${pyNumber(o.min)}.`;
  return `Must be ${hi} ${pyNumber(o.max ?? 0)}.`;
}

function rangeCheck(o: RangeOptions): (v: number) => string | undefined {
  return (v) => {
    const lowOk = o.min === undefined || (o.minInclusive === false ? v > o.min : v >= o.min);
    const highOk = o.max === undefined || (o.maxInclusive === false ? v < o.max : v <= o.max);
    return lowOk && highOk ? undefined : (o.error ?? rangeMessage(o));
  };
}

function lengthCheck(o: StringOptions): (v: { length: number }) => string | undefined {
  return (v) => {
    const bad = (o.min !== undefined && v.length < o.min) || (o.max !== undefined && v.length > o.max);
    return bad ? (o.lengthError ?? lengthMessage(o.min, o.max)) : undefined;
  };
}

/** Field builders, named after marshmallow's field classes. */
export const field = {
  /** `fields.Str`: only JSON strings; optional Length validation. */
  string(opts: StringOptions = {}): Field<string> {
    const f = make<string>((raw) =>
      typeof raw === "string" ? { ok: true, value: raw } : { ok: false, errors: [MSG.string] },
    );
    return opts.min !== undefined || opts.max !== undefined ? f.check(lengthCheck(opts)) : f;
  },
  /** `fields.Float`: numbers or numeric strings; no NaN/Infinity; booleans refused. */
  float(range?: RangeOptions): Field<number> {
    const f = make(toFloat);
    return range ? f.check(rangeCheck(range)) : f;
  },
  /** `fields.Int`: truncates a JSON float (20.7 → 20) but refuses the string "20.7". */
  int(range?: RangeOptions): Field<number> {
    const f = make(toInt);
    return range ? f.check(rangeCheck(range)) : f;
  },
  /** `fields.Bool`: marshmallow's truthy/falsy sets (`true`, `"true"`, `"yes"`, `1`, ...). */
  bool(): Field<boolean> {
    return make<boolean>((raw) =>
      TRUTHY.has(raw)
        ? { ok: true, value: true }
        : FALSY.has(raw)
          ? { ok: true, value: false }
          : { ok: false, errors: [MSG.boolean] },
    );
  },
  /** A string restricted to `choices` (`validate.OneOf`); the value is normalised to the choice as written. */
  enum<const C extends string>(choices: readonly C[], opts: EnumOptions = {}): Field<C> {
    const accepted = new Map<string, C>();
    for (const c of choices) accepted.set(c, c);
    if (opts.lowercase) for (const c of choices) accepted.set(c.toLowerCase(), c);
    const listed = opts.lowercase ? [...choices, ...choices.map((c) => c.toLowerCase())] : [...choices];
    const message = `Must be one of: ${listed.join(", ")}.`;
    const upper = new Map(choices.map((c) => [c.toUpperCase(), c] as const));
    return make<C>((raw) => {
      if (typeof raw !== "string") return { ok: false, errors: [MSG.string] };
      const hit = opts.caseInsensitive ? upper.get(raw.toUpperCase()) : accepted.get(raw);
      return hit !== undefined ? { ok: true, value: hit } : { ok: false, errors: [message] };
    });
  },
  /** `fields.List(item)`; item errors are keyed by index; `length` validates the list size after its items. */
  list<T>(item: Field<T>, length?: StringOptions): Field<T[]> {
    const f = make<T[]>((raw) => {
      if (!Array.isArray(raw)) return { ok: false, errors: [MSG.list] };
      const value: T[] = [];
      const errors: FieldErrors = {};
      raw.forEach((r, i) => {
        const out = r === undefined ? ({ ok: false, errors: [MSG.required] } as Out<T>) : item.parse(r);
        if (out.ok) value.push(out.value);
        else errors[String(i)] = out.errors;
      });
      return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value };
    });
    return length ? f.check(lengthCheck(length)) : f;
  },
  /** `fields.Nested(schema)`. */
  nested<T>(inner: Schema<T>): Field<T> {
    return make<T>((raw) => {
      const r = inner.parse(raw);
      return r.ok ? r : { ok: false, errors: r.errors };
    });
  },
};

type Shape = Record<string, Field<unknown>>;
export type Infer<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface SchemaOptions<T> {
  /** `raise` (marshmallow's default): unknown keys are errors. `exclude`: they are dropped. */
  unknown?: "raise" | "exclude";
  /** `@post_load`: runs only when everything else passed; may return errors or a replacement value. */
  post?: (value: T) => { errors: FieldErrors } | { value: T };
}

export interface Schema<T> {
  readonly fields: Shape;
  parse(input: unknown): ParseResult<T>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Builds a schema. Errors come out in marshmallow's order: declared fields, unknown keys, then `post`. */
export function schema<S extends Shape>(shape: S, opts: SchemaOptions<Infer<S>> = {}): Schema<Infer<S>> {
  const names = Object.keys(shape);
  const known = new Set(names);
  return {
    fields: shape,
    parse(input) {
      if (!isPlainObject(input)) return { ok: false, errors: { _schema: [MSG.inputType] } };
      const errors: FieldErrors = {};
      const value: Record<string, unknown> = {};
      for (const name of names) {
        const f = shape[name].spec;
        const raw = Object.prototype.hasOwnProperty.call(input, name) ? input[name] : undefined;
        if (raw === undefined) {
          if (f.required) errors[name] = [MSG.required];
          else if (f.hasDefault) value[name] = f.defaultValue;
          continue;
        }
        const out = shape[name].parse(raw);
        if (out.ok) value[name] = out.value;
        else errors[name] = out.errors;
      }
      if (opts.unknown !== "exclude") {
        for (const key of Object.keys(input)) if (!known.has(key)) errors[key] = [MSG.unknown];
      }
      if (Object.keys(errors).length) return { ok: false, errors };
      if (opts.post) {
        const p = opts.post(value as Infer<S>);
        if ("errors" in p) return { ok: false, errors: p.errors };
        return { ok: true, value: p.value };
      }
      return { ok: true, value: value as Infer<S> };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// OpenAlgo-specific pieces
// ---------------------------------------------------------------------------------------------------------

export const VALID_EXCHANGES = [
  "NSE",
  "NFO",
  "CDS",
  "BSE",
  "BFO",
  "BCD",
  "MCX",
  "NCDEX",
  "NCO",
  "NSE_INDEX",
  "BSE_INDEX",
  "MCX_INDEX",
  "GLOBAL_INDEX",
  "CRYPTO",
] as const;
const CRYPTO_EXCHANGES = new Set<string>(["CRYPTO"]);

/** The apikey field every endpoint declares (`Length(min=1, max=256)`). */
export const apikeyField = (): Field<string> => field.string({ min: 1, max: 256 });

/**
 * OpenAlgo's `_coerce_quantity_to_int` post-load step: a fractional quantity outside CRYPTO is an error,
 * otherwise the quantity becomes an integer (`"1.0"` → 1).
 */
export function wholeQuantity<T extends { exchange?: string; quantity?: number }>(
  value: T,
): { errors: FieldErrors } | { value: T } {
  const q = value.quantity;
  if (q === undefined || (value.exchange !== undefined && CRYPTO_EXCHANGES.has(value.exchange))) return { value };
  if (!Number.isInteger(q)) {
    return { errors: { quantity: [`Fractional quantity (${pyNumber(q)}) is not allowed for non-crypto exchanges.`] } };
  }
  return { value };
}

// ---------------------------------------------------------------------------------------------------------
// The three 400 shapes of docs/openalgo.md "Validation errors"
// ---------------------------------------------------------------------------------------------------------

/**
 * Order endpoints: `message` is the Python repr of the error dict. `analyze` adds `mode:"analyze"` (docs/openalgo.md
 * "Validation errors").
 */
export function orderError(errors: FieldErrors, analyze = false): RouteResult {
  const body: Record<string, unknown> = { status: "error", message: pyRepr(errors) };
  if (analyze) body.mode = "analyze";
  return { status: 400, body };
}

/** Data/account endpoints: `message` is the error object itself. */
export function dataError(errors: FieldErrors): RouteResult {
  return { status: 400, body: { status: "error", message: errors } };
}

/** optionsorder / optionsmultiorder / optionsymbol / optionchain. */
export function optionsError(errors: FieldErrors): RouteResult {
  return { status: 400, body: { status: "error", message: "Validation error", errors } };
}

/** optiongreeks / multioptiongreeks. */
export function greeksError(errors: FieldErrors): RouteResult {
  return { status: 400, body: { status: "error", message: "Validation failed", errors } };
}

export type ErrorShape = "order" | "order+mode" | "data" | "options" | "greeks";

/**
 * Builds a RouteHandler `validate` function from a schema and the endpoint's error shape.
 * `order+mode`: an order endpoint whose 400s carry `mode:"analyze"` in analyzer mode (all but placeorder,
 * analyzer/toggle and margin, per docs/openalgo.md "Validation errors").
 */
export function validator<T>(
  s: Schema<T>,
  shape: ErrorShape,
): (body: unknown, mode: InstanceMode | undefined) => { ok: true; value: T } | { ok: false; result: RouteResult } {
  return (body, mode) => {
    const r = s.parse(body);
    if (r.ok) return r;
    switch (shape) {
      case "order":
        return { ok: false, result: orderError(r.errors) };
      case "order+mode":
        return { ok: false, result: orderError(r.errors, mode === "analyze") };
      case "data":
        return { ok: false, result: dataError(r.errors) };
      case "options":
        return { ok: false, result: optionsError(r.errors) };
      case "greeks":
        return { ok: false, result: greeksError(r.errors) };
    }
  };
}
