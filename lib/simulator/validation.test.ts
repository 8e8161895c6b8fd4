import { describe, expect, it } from "vitest";
import {
  VALID_EXCHANGES,
  apikeyField,
  dataError,
  field,
  greeksError,
  optionsError,
  orderError,
  schema,
  validator,
  wholeQuantity,
} from "@/lib/simulator/validation";
import { pyNumber, pyRepr } from "@/lib/simulator/python-repr";

// A copy of OpenAlgo's OrderSchema, field for field, to check the messages observed from the real server.
const order = schema(
  {
    apikey: apikeyField(),
    strategy: field.string(),
    exchange: field.enum(VALID_EXCHANGES),
    symbol: field.string(),
    action: field.enum(["BUY", "SELL"], { lowercase: true }),
    quantity: field.float({ min: 0, minInclusive: false, error: "Quantity must be a positive number." }),
    pricetype: field.enum(["MARKET", "LIMIT", "SL", "SL-M"]).default("MARKET"),
    product: field.enum(["MIS", "NRML", "CNC"]).default("MIS"),
    price: field.float({ min: 0, error: "Price must be a non-negative number." }).default(0),
    disclosed_quantity: field.int({ min: 0, error: "Disclosed quantity must be a non-negative integer." }).default(0),
    underlying_ltp: field.float().nullable().default(null),
  },
  { post: wholeQuantity },
);
const base = { apikey: "K", strategy: "probe", symbol: "SBIN", exchange: "NSE", action: "BUY", quantity: 1 };

function msg(body: unknown): unknown {
  const r = order.parse(body);
  if (r.ok) throw new Error("expected errors");
  return orderError(r.errors).body;
}

describe("schema", () => {
  it("parses a valid body with defaults and normalised enums", () => {
    const r = order.parse({ ...base, action: "buy", quantity: "1.0", price: "400" });
    expect(r).toEqual({
      ok: true,
      value: {
        ...base,
        action: "BUY",
        quantity: 1,
        pricetype: "MARKET",
        product: "MIS",
        price: 400,
        disclosed_quantity: 0,
        underlying_ltp: null,
      },
    });
  });

  it("reports missing fields in declared order, then unknown fields, as a Python repr string", () => {
    const { apikey: _a, quantity: _q, strategy: _s, ...rest } = base;
    expect(msg({ ...rest, apikey: "K" })).toEqual({
      status: "error",
      message: "{'strategy': ['Missing data for required field.'], 'quantity': ['Missing data for required field.']}",
    });
    const { quantity: _q2, ...noQty } = base;
    expect(msg({ ...noQty, foo: 1 })).toEqual({
      status: "error",
      message: "{'quantity': ['Missing data for required field.'], 'foo': ['Unknown field.']}",
    });
  });

  it("keeps exchange/product/pricetype uppercase-only and lists enum choices", () => {
    expect(msg({ ...base, exchange: "nse" })).toEqual({
      status: "error",
      message:
        "{'exchange': ['Must be one of: NSE, NFO, CDS, BSE, BFO, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO.']}",
    });
    expect((msg({ ...base, product: "cnc" }) as { message: string }).message).toBe(
      "{'product': ['Must be one of: MIS, NRML, CNC.']}",
    );
    expect((msg({ ...base, action: "HOLD" }) as { message: string }).message).toBe(
      "{'action': ['Must be one of: BUY, SELL, buy, sell.']}",
    );
    // Mixed case is not in OpenAlgo's list either.
    expect(order.parse({ ...base, action: "Buy" }).ok).toBe(false);
  });

  it("applies Float/Int coercion rules", () => {
    expect((msg({ ...base, quantity: "abc" }) as { message: string }).message).toBe(
      "{'quantity': ['Not a valid number.']}",
    );
    expect((msg({ ...base, quantity: true }) as { message: string }).message).toBe(
      "{'quantity': ['Not a valid number.']}",
    );
    expect((msg({ ...base, quantity: 0 }) as { message: string }).message).toBe(
      "{'quantity': ['Quantity must be a positive number.']}",
    );
    expect((msg({ ...base, price: -1 }) as { message: string }).message).toBe(
      "{'price': ['Price must be a non-negative number.']}",
    );
    expect((msg({ ...base, disclosed_quantity: "1.7" }) as { message: string }).message).toBe(
      "{'disclosed_quantity': ['Not a valid integer.']}",
    );
    const trunc = order.parse({ ...base, disclosed_quantity: 20.7 });
    expect(trunc.ok && trunc.value.disclosed_quantity).toBe(20);
    expect((msg({ ...base, quantity: "" }) as { message: string }).message).toBe(
      "{'quantity': ['Not a valid number.']}",
    );
    expect((msg({ ...base, quantity: "0x10" }) as { message: string }).message).toBe(
      "{'quantity': ['Not a valid number.']}",
    );
  });

  it("refuses fractional quantities outside CRYPTO only after the rest passed", () => {
    expect((msg({ ...base, quantity: 1.5 }) as { message: string }).message).toBe(
      "{'quantity': ['Fractional quantity (1.5) is not allowed for non-crypto exchanges.']}",
    );
    expect((msg({ ...base, quantity: "1.5" }) as { message: string }).message).toBe(
      "{'quantity': ['Fractional quantity (1.5) is not allowed for non-crypto exchanges.']}",
    );
    expect(order.parse({ ...base, exchange: "CRYPTO", quantity: 1.5 }).ok).toBe(true);
    // post-load does not run while another field is invalid.
    expect((msg({ ...base, quantity: 1.5, foo: 1 }) as { message: string }).message).toBe(
      "{'foo': ['Unknown field.']}",
    );
  });

  it("checks null and string types", () => {
    expect((msg({ ...base, symbol: null }) as { message: string }).message).toBe(
      "{'symbol': ['Field may not be null.']}",
    );
    expect((msg({ ...base, symbol: 5 }) as { message: string }).message).toBe("{'symbol': ['Not a valid string.']}");
    expect((msg({ ...base, apikey: "" }) as { message: string }).message).toBe(
      "{'apikey': ['Length must be between 1 and 256.']}",
    );
    expect(order.parse(null)).toEqual({ ok: false, errors: { _schema: ["Invalid input type."] } });
    expect(order.parse([])).toEqual({ ok: false, errors: { _schema: ["Invalid input type."] } });
  });

  it("parses booleans like marshmallow", () => {
    const s = schema({ mode: field.bool() });
    expect(s.parse({ mode: "true" })).toEqual({ ok: true, value: { mode: true } });
    expect(s.parse({ mode: "false" })).toEqual({ ok: true, value: { mode: false } });
    expect(s.parse({ mode: 1 })).toEqual({ ok: true, value: { mode: true } });
    expect(s.parse({ mode: "maybe" })).toEqual({ ok: false, errors: { mode: ["Not a valid boolean."] } });
  });

  it("keys nested list errors by index and prints them as Python ints", () => {
    const item = schema({ symbol: field.string(), quantity: field.float() });
    const basket = schema({ strategy: field.string(), orders: field.list(field.nested(item)) });
    const r = basket.parse({
      strategy: "s",
      orders: [{ symbol: "A", quantity: 1 }, { symbol: "B", quantity: 1, strategy: "x" }, 7],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(orderError(r.errors, true).body).toEqual({
        status: "error",
        mode: "analyze",
        message: "{'orders': {1: {'strategy': ['Unknown field.']}, 2: {'_schema': ['Invalid input type.']}}}",
      });
    }
    expect(basket.parse({ strategy: "s", orders: [] })).toEqual({ ok: true, value: { strategy: "s", orders: [] } });
    expect(basket.parse({ strategy: "s", orders: {} })).toEqual({
      ok: false,
      errors: { orders: ["Not a valid list."] },
    });
  });

  it("validates list length after the items", () => {
    const legs = schema({
      legs: field.list(field.int(), { min: 1, max: 2, lengthError: "Legs must contain 1 to 20 items." }),
    });
    expect(legs.parse({ legs: [] })).toEqual({ ok: false, errors: { legs: ["Legs must contain 1 to 20 items."] } });
    expect(legs.parse({ legs: [1, 2] }).ok).toBe(true);
  });

  it("supports case-insensitive enums", () => {
    const s = schema({ option_type: field.enum(["CE", "PE"], { caseInsensitive: true }) });
    expect(s.parse({ option_type: "Ce" })).toEqual({ ok: true, value: { option_type: "CE" } });
    expect(s.parse({ option_type: "XX" })).toEqual({ ok: false, errors: { option_type: ["Must be one of: CE, PE."] } });
  });
});

describe("python repr", () => {
  it("quotes strings the way Python does", () => {
    expect(pyRepr("a")).toBe("'a'");
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pyRepr("a\\b\n")).toBe("'a\\\\b\\n'");
    expect(pyRepr("₹5")).toBe("'₹5'");
    expect(pyRepr([1, true, null])).toBe("[1, True, None]");
  });
  it("formats floats like Python", () => {
    expect(pyNumber(1.5)).toBe("1.5");
    expect(pyNumber(0.00001)).toBe("1e-05");
    expect(pyNumber(1.5e20)).toBe("1.5e+20");
    expect(pyNumber(0.0001)).toBe("0.0001");
  });
});

describe("error shapes", () => {
  const s = schema({ apikey: apikeyField() });
  it("builds the data, options and greeks shapes", () => {
    expect(dataError({ foo: ["Unknown field."] })).toEqual({
      status: 400,
      body: { status: "error", message: { foo: ["Unknown field."] } },
    });
    expect(optionsError({ offset: ["x"] })).toEqual({
      status: 400,
      body: { status: "error", message: "Validation error", errors: { offset: ["x"] } },
    });
    expect(greeksError({ symbol: ["x"] })).toEqual({
      status: 400,
      body: { status: "error", message: "Validation failed", errors: { symbol: ["x"] } },
    });
  });
  it("adds mode only for order+mode endpoints in analyzer mode", () => {
    const plain = validator(s, "order")({ apikey: "k", x: 1 }, "analyze");
    const withMode = validator(s, "order+mode")({ apikey: "k", x: 1 }, "analyze");
    const live = validator(s, "order+mode")({ apikey: "k", x: 1 }, "live");
    expect(!plain.ok && plain.result.body).toEqual({ status: "error", message: "{'x': ['Unknown field.']}" });
    expect(!withMode.ok && withMode.result.body).toEqual({
      status: "error",
      message: "{'x': ['Unknown field.']}",
      mode: "analyze",
    });
    expect(!live.ok && live.result.body).toEqual({ status: "error", message: "{'x': ['Unknown field.']}" });
    expect(validator(s, "data")({ apikey: "k" }, undefined)).toEqual({ ok: true, value: { apikey: "k" } });
  });
});
