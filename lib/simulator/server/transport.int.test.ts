/**
 * Compatibility suite, transport (docs/openalgo.md "Transport", "Where real instances differ", "Rate limits",
 * "Validation errors"): paths, methods, body parsing, check order, auth and sessions, the three validation shapes, rate
 * limits and the control API's own guard.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "./start-simulator";
import { ALPHA, BETA, MONDAY_10_IST, control, get, post, startTestSimulator } from "@/lib/testing/simulator-server-kit";

let sim: RunningSimulator;
let url: string;
const order = {
  apikey: ALPHA.apiKey,
  strategy: "probe",
  symbol: "SBIN",
  exchange: "NSE",
  action: "BUY",
  quantity: 1,
  pricetype: "LIMIT",
  product: "CNC",
  price: 100,
};

// The rate limiter's clock, frozen so a burst's counts do not depend on how fast this machine sends it.
let wall = 0;

beforeAll(async () => {
  sim = await startTestSimulator({ rateLimitNow: () => wall });
  url = sim.httpUrl;
});
afterAll(() => sim.close());
afterEach(async () => {
  wall += 1000;
  await control(url, "POST", "/reset");
});

describe("paths and methods", () => {
  it("serves POST /api/v1/<name> with and without a trailing slash", async () => {
    const a = await post(url, "/api/v1/ping", { apikey: ALPHA.apiKey });
    const b = await post(url, "/api/v1/ping/", { apikey: ALPHA.apiKey });
    expect(a.status).toBe(200);
    expect(a.json).toEqual({ data: { broker: "simulator", message: "pong" }, status: "success" });
    expect(b.text).toBe(a.text);
  });

  it("answers unknown paths and wrong methods with the JSON 404 naming the path", async () => {
    expect((await post(url, "/api/v1/nonexistent", { apikey: ALPHA.apiKey })).text).toBe(
      '{"message":"Not found","path":"/api/v1/nonexistent","status":"error"}\n',
    );
    expect((await post(url, "/api/v2/ping", { apikey: ALPHA.apiKey })).json.path).toBe("/api/v2/ping");
    const wrong = await get(url, "/api/v1/ping");
    expect(wrong.status).toBe(404);
    expect(wrong.json).toEqual({ message: "Not found", path: "/api/v1/ping", status: "error" });
    const put = await fetch(`${url}/api/v1/funds`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(put.status).toBe(404);
  });

  it("routes /i/<id>/api/v1/... to that instance only", async () => {
    const own = await post(url, "/i/alpha/api/v1/funds", { apikey: ALPHA.apiKey });
    expect(own.status).toBe(200);
    const other = await post(url, "/i/alpha/api/v1/funds", { apikey: BETA.apiKey });
    expect(other.status).toBe(403);
    expect(other.json).toEqual({ message: "Invalid openalgo apikey", status: "error" });
    expect((await post(url, "/i/nobody/api/v1/funds", { apikey: ALPHA.apiKey })).status).toBe(404);
    expect((await post(url, "/i/beta/api/v1/ping/", { apikey: BETA.apiKey })).status).toBe(200);
  });
});

describe("bodies that are not a JSON object", () => {
  it("malformed or empty JSON is flask-restx's 400 with spaces", async () => {
    for (const raw of ["this is not json", ""]) {
      const r = await post(url, "/api/v1/placeorder", raw, { raw: true });
      expect(r.status).toBe(400);
      expect(r.text).toBe(
        '{"message": "The browser (or proxy) sent a request that this server could not understand."}\n',
      );
    }
  });

  it("null, arrays and strings are 500 Internal Server Error", async () => {
    for (const raw of ["null", "[]", '"x"']) {
      const r = await post(url, "/api/v1/funds", raw, { raw: true });
      expect(r.status).toBe(500);
      expect(r.text).toBe('{"message": "Internal Server Error"}\n');
    }
  });

  it("a missing or form content type is the endpoint's own 500", async () => {
    const place = await post(url, "/api/v1/placeorder", order, { contentType: null });
    expect(place.status).toBe(500);
    expect(place.json).toEqual({ message: "An unexpected error occurred in the API endpoint", status: "error" });
    const funds = await post(
      url,
      "/api/v1/funds",
      { apikey: ALPHA.apiKey },
      { contentType: "application/x-www-form-urlencoded" },
    );
    expect(funds.json).toEqual({ message: "An unexpected error occurred", status: "error" });
    const orders = await control(url, "GET", "/instances/alpha/orders");
    expect(orders.json.orders).toHaveLength(0);
  });
});

describe("validation shapes and check order", () => {
  it("order endpoints: Python-repr string message; data endpoints: object; greeks/options: errors object", async () => {
    const { quantity: _q, ...noQty } = order;
    const o = await post(url, "/api/v1/placeorder", noQty);
    expect(o.status).toBe(400);
    expect(o.text).toBe(`{"message":"{'quantity': ['Missing data for required field.']}","status":"error"}\n`);
    const d = await post(url, "/api/v1/funds", { apikey: ALPHA.apiKey, foo: 1 });
    expect(d.text).toBe('{"message":{"foo":["Unknown field."]},"status":"error"}\n');
    const g = await post(url, "/api/v1/optiongreeks", { apikey: ALPHA.apiKey, exchange: "NFO" });
    expect(g.json).toEqual({
      errors: { symbol: ["Missing data for required field."] },
      message: "Validation failed",
      status: "error",
    });
  });

  it("validation comes before the key check: a bad key with a bad body is 400, with a good body 403", async () => {
    const bad = await post(url, "/api/v1/placeorder", { ...order, apikey: "not-a-real-key", exchange: "nse" });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^\{'exchange': \['Must be one of: NSE, NFO/);
    const forbidden = await post(url, "/api/v1/placeorder", { ...order, apikey: "not-a-real-key" });
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toBe('{"message":"Invalid openalgo apikey","status":"error"}\n');
  });

  it("analyzer-mode instances add mode to order-endpoint 400s except placeorder's", async () => {
    const cancel = await post(url, "/api/v1/cancelorder", { apikey: BETA.apiKey, orderid: "1" });
    expect(cancel.json).toEqual({
      message: "{'strategy': ['Missing data for required field.']}",
      mode: "analyze",
      status: "error",
    });
    const place = await post(url, "/api/v1/placeorder", { ...order, apikey: BETA.apiKey, quantity: 0 });
    expect(place.json.mode).toBeUndefined();
  });
});

describe("sessions", () => {
  it("a revoked session answers 403 on session routes but key-only routes still work; login restores it", async () => {
    expect((await control(url, "POST", "/instances/alpha/revoke")).json.sessionActive).toBe(false);
    const funds = await post(url, "/api/v1/funds", { apikey: ALPHA.apiKey });
    expect(funds.status).toBe(403);
    expect(funds.json.message).toBe("Invalid openalgo apikey");
    expect((await post(url, "/api/v1/search", { apikey: ALPHA.apiKey, query: "SBIN" })).status).toBe(200);
    // optiongreeks: a bad key is 401, an expired session the usual 403.
    const greeks = await post(url, "/api/v1/optiongreeks", { apikey: ALPHA.apiKey, symbol: "X", exchange: "NFO" });
    expect(greeks.status).toBe(403);
    await control(url, "POST", "/instances/alpha/login");
    expect((await post(url, "/api/v1/funds", { apikey: ALPHA.apiKey })).status).toBe(200);
  });

  it("the session expires when the simulated clock passes 03:00 IST", async () => {
    expect((await post(url, "/api/v1/ping", { apikey: ALPHA.apiKey })).status).toBe(200);
    // Monday 10:00 IST + 16 h 59 m = Tuesday 02:59 IST: still the same session.
    await control(url, "POST", "/clock", { advanceMs: (16 * 60 + 59) * 60_000 });
    expect((await post(url, "/api/v1/ping", { apikey: ALPHA.apiKey })).status).toBe(200);
    await control(url, "POST", "/clock", { advanceMs: 2 * 60_000 });
    expect((await post(url, "/api/v1/ping", { apikey: ALPHA.apiKey })).status).toBe(403);
    await control(url, "POST", "/instances/alpha/login");
    expect((await post(url, "/api/v1/ping", { apikey: ALPHA.apiKey })).status).toBe(200);
    await control(url, "POST", "/clock", { set: MONDAY_10_IST });
  });
});

describe("rate limits", () => {
  it("refuses the 11th order in a second with flask-restx's body, counting 400s too, per route", async () => {
    const { quantity: _q, ...invalid } = order;
    const answers = await Promise.all(Array.from({ length: 15 }, () => post(url, "/api/v1/placeorder", invalid)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.text).toBe('{"message": "10 per 1 second"}\n');
    expect(limited.headers.get("retry-after")).toBeNull();
    // Another route has its own window, and so has another instance (each stands for its own OpenAlgo server).
    expect((await post(url, "/api/v1/ping", { apikey: ALPHA.apiKey })).status).toBe(200);
    expect((await post(url, "/api/v1/placeorder", { ...invalid, apikey: BETA.apiKey })).status).toBe(400);
    // Malformed bodies naming no instance are limited too.
    const raw = await Promise.all(
      Array.from({ length: 12 }, () => post(url, "/api/v1/placeorder", "nope", { raw: true })),
    );
    expect(raw.filter((a) => a.status === 429)).toHaveLength(2);
    // One window later the route answers again.
    wall += 1000;
    expect((await post(url, "/api/v1/placeorder", invalid)).status).toBe(400);
  });

  it("applies the API limit (50/s) to data routes", async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => post(url, "/api/v1/funds", { apikey: ALPHA.apiKey })),
    );
    expect(answers.filter((a) => a.status === 429)).toHaveLength(10);
    expect(answers.find((a) => a.status === 429)!.text).toBe('{"message": "50 per 1 second"}\n');
  });
});

describe("control API", () => {
  it("needs the bearer token", async () => {
    const r = await fetch(`${url}/_sim/instances`);
    expect(r.status).toBe(401);
    const wrong = await fetch(`${url}/_sim/instances`, { headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const health = await control(url, "GET", "/health");
    expect(health.json).toMatchObject({ status: "ok", instances: 2, clock: { mode: "fixed" } });
    expect((await control(url, "GET", "/nothing-here")).status).toBe(404);
  });

  it("validates bodies and names the field", async () => {
    const r = await control(url, "POST", "/instances/alpha/mode", { mode: "paper" });
    expect(r.status).toBe(400);
    expect(r.json.issues[0].field).toBe("mode");
    const faults = await control(url, "POST", "/instances/alpha/faults", { http500Rate: 2 });
    expect(faults.status).toBe(400);
    expect(faults.json.issues[0].field).toBe("http500Rate");
    expect((await control(url, "POST", "/instances/nobody/revoke")).status).toBe(404);
  });

  it("moves the market: spot, volatility and contract overrides; reads and sets the clock", async () => {
    expect((await control(url, "POST", "/market/spot", { underlying: "SBIN", price: 900 })).status).toBe(200);
    expect(
      (await post(url, "/api/v1/quotes", { apikey: ALPHA.apiKey, symbol: "SBIN", exchange: "NSE" })).json.data.ltp,
    ).toBe(900);
    expect((await control(url, "POST", "/market/spot", { underlying: "NOPE", price: 1 })).status).toBe(400);
    expect((await control(url, "POST", "/market/volatility", { underlying: "NIFTY", vol: 0.3 })).status).toBe(200);
    expect(
      (await control(url, "POST", "/market/volatility", { underlying: "NIFTY", vol: 9 })).json.issues[0].field,
    ).toBe("vol");
    await control(url, "POST", "/market/contract", { underlying: "NIFTY", freezeQty: 900 });
    const expiry = (
      await post(url, "/api/v1/expiry", {
        apikey: ALPHA.apiKey,
        symbol: "NIFTY",
        exchange: "NFO",
        instrumenttype: "options",
      })
    ).json.data[0];
    const opt = await post(url, "/api/v1/optionsymbol", {
      apikey: ALPHA.apiKey,
      underlying: "NIFTY",
      exchange: "NSE_INDEX",
      expiry_date: expiry.replace(/-/g, ""),
      offset: "ATM",
      option_type: "CE",
    });
    expect(opt.json.freeze_qty).toBe(900);
    const clock = await control(url, "GET", "/clock");
    expect(clock.json).toEqual({ now: MONDAY_10_IST, iso: new Date(MONDAY_10_IST).toISOString(), mode: "fixed" });
    expect((await control(url, "POST", "/clock", { advanceMs: 60_000 })).json.now).toBe(MONDAY_10_IST + 60_000);
    expect((await control(url, "POST", "/clock", { set: new Date(MONDAY_10_IST).toISOString() })).json.now).toBe(
      MONDAY_10_IST,
    );
    expect((await control(url, "POST", "/clock", { advanceMs: -5 })).status).toBe(400);
  });

  it("creates, lists and removes instances, and switches mode and number flavour", async () => {
    const created = await control(url, "POST", "/instances", { id: "gamma", apiKey: "key-gamma", capital: 250000 });
    expect(created.status).toBe(201);
    expect((await control(url, "POST", "/instances", { id: "gamma", apiKey: "other", capital: 1 })).status).toBe(409);
    expect((await control(url, "GET", "/instances")).json.instances.map((i: { id: string }) => i.id)).toContain(
      "gamma",
    );
    expect((await post(url, "/api/v1/ping", { apikey: "key-gamma" })).status).toBe(200);
    await control(url, "POST", "/instances/gamma/mode", { mode: "analyze" });
    const analyzer = await post(url, "/api/v1/analyzer", { apikey: "key-gamma" });
    expect(analyzer.json.data.mode).toBe("analyze");
    await control(url, "POST", "/instances/gamma/flavour", { numbers: "number" });
    const funds = await post(url, "/api/v1/funds", { apikey: "key-gamma" });
    expect(typeof funds.json.data.availablecash).toBe("number");
    expect((await control(url, "DELETE", "/instances/gamma")).status).toBe(200);
    expect((await post(url, "/api/v1/ping", { apikey: "key-gamma" })).status).toBe(403);
  });
});

describe("every route's validation shape", () => {
  const shapes: Record<string, string[]> = {
    order: [
      "placeorder",
      "placesmartorder",
      "basketorder",
      "splitorder",
      "modifyorder",
      "cancelorder",
      "cancelallorder",
      "closeposition",
      "orderstatus",
      "openposition",
      "margin",
      "analyzer/toggle",
    ],
    data: [
      "ping",
      "funds",
      "orderbook",
      "tradebook",
      "positionbook",
      "holdings",
      "quotes",
      "multiquotes",
      "depth",
      "history",
      "intervals",
      "symbol",
      "search",
      "expiry",
      "market/holidays",
      "market/timings",
    ],
    options: ["optionsorder", "optionsmultiorder", "optionsymbol", "optionchain"],
    greeks: ["optiongreeks", "multioptiongreeks"],
  };

  it.each(Object.entries(shapes).flatMap(([shape, names]) => names.map((name) => [name, shape])))(
    "%s answers an unknown field in the %s shape",
    async (name, shape) => {
      const r = await post(url, `/api/v1/${name}`, { apikey: ALPHA.apiKey, zzz: 1 });
      expect(r.status).toBe(400);
      expect(r.json.status).toBe("error");
      if (shape === "order") expect(r.json.message).toContain("'zzz': ['Unknown field.']");
      if (shape === "data") expect(r.json.message.zzz).toEqual(["Unknown field."]);
      if (shape === "options")
        expect(r.json).toMatchObject({ message: "Validation error", errors: { zzz: ["Unknown field."] } });
      if (shape === "greeks")
        expect(r.json).toMatchObject({ message: "Validation failed", errors: { zzz: ["Unknown field."] } });
    },
  );
});
