import { describe, expect, it } from "vitest";
import { parseAlert } from "./parse";
import type { Ask, ParseResult, WebhookMode } from "./types";

const MODES: WebhookMode[] = ["LONG", "SHORT", "BOTH"];

function askOf(result: ParseResult): Ask {
  if (!result.ok) throw new Error(`refused ${result.field}: ${result.message}`);
  return result.alert.ask;
}

function refusal(result: ParseResult): string {
  return result.ok ? "accepted" : result.field;
}

/** OpenAlgo's TradingView smart-order message, as pasted in TradingView. */
const SMART_TEMPLATE =
  '{"apikey":"abc","strategy":"TradingView Strategy","symbol":"NIFTY","action":"{{strategy.order.action}}",' +
  '"exchange":"NFO","pricetype":"MARKET","product":"MIS","quantity":"{{strategy.order.contracts}}",' +
  '"position_size":"{{strategy.position_size}}"}';
const smart = (action: string, contracts: string, size: string) =>
  SMART_TEMPLATE.replace("{{strategy.order.action}}", action)
    .replace("{{strategy.order.contracts}}", contracts)
    .replace("{{strategy.position_size}}", size);

describe("parseAlert: plain text", () => {
  const cases: [string, Ask][] = [
    ["ENTRY", { kind: "enter", direction: null }],
    ["  entry long\n", { kind: "enter", direction: "LONG" }],
    ["Entry   Short", { kind: "enter", direction: "SHORT" }],
    ["exit", { kind: "exit" }],
    ["REVERSE", { kind: "reverse" }],
    // TradingView's {{strategy.market_position}} as the whole message.
    ["long", { kind: "target", position: "LONG" }],
    ["short", { kind: "target", position: "SHORT" }],
    ["flat", { kind: "target", position: "FLAT" }],
  ];
  for (const [body, ask] of cases) {
    it(JSON.stringify(body), () => {
      const result = parseAlert(body, "text", "BOTH");
      expect(askOf(result)).toEqual(ask);
      expect(result.ok && result.alert).toMatchObject({ format: "text", clientId: null, sentAt: null, symbol: null });
    });
  }
  const refused: [string, string][] = [
    ["", "body"],
    ["   ", "body"],
    ["BUY", "body"],
    ["EXIT LONG", "body"],
    ["ENTRY LONG NOW", "body"],
    ["{{strategy.market_position}}", "body"],
    ['{"action": "ENTRY",', "body"],
    ["[1,2]", "body"],
  ];
  for (const [body, field] of refused) {
    it(`refuses ${JSON.stringify(body)}`, () => expect(refusal(parseAlert(body, "text", "BOTH"))).toBe(field));
  }
  it("names the unfilled placeholder", () => {
    for (const kind of ["text", "json"] as const) {
      const result = parseAlert("{{strategy.market_position}}", kind, "LONG");
      expect(result).toEqual({
        ok: false,
        field: "body",
        message:
          "TradingView did not fill in {{strategy.market_position}}: the alert must be created from a strategy, or the placeholder removed",
      });
    }
  });
  it("reads a text body that is JSON as JSON (TradingView sends text/plain for JSON-looking text)", () => {
    expect(askOf(parseAlert(' {"action":"EXIT"} ', "text", "BOTH"))).toEqual({ kind: "exit" });
    const broken = parseAlert('{"action":"EXIT", "id": {{strategy.order.id}}}', "text", "BOTH");
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.field).toBe("body");
    expect(!broken.ok && broken.message).toMatch(/^not valid JSON.*an unfilled placeholder or a missing quote\?$/);
  });
  it("a JSON content type with a plain word is invalid JSON", () => {
    expect(refusal(parseAlert("EXIT", "json", "BOTH"))).toBe("body");
  });
});

describe("parseAlert: MirrorDesk JSON", () => {
  it("reads every field", () => {
    const body =
      '{"action":"entry","position":"Short","id":"bar-42","ts":"2026-11-26T09:37:00Z","lots_multiplier":"1.5","symbol":"NIFTY","note":"x"}';
    const result = parseAlert(body, "json", "BOTH");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.alert.format).toBe("mirrordesk");
    expect(result.alert.ask).toEqual({ kind: "enter", direction: "SHORT" });
    expect(result.alert.clientId).toBe("bar-42");
    expect(result.alert.sentAt?.toISOString()).toBe("2026-11-26T09:37:00.000Z");
    expect(result.alert.lotsMultiplier?.toString()).toBe("1.5");
    expect(result.alert.symbol).toBe("NIFTY");
  });
  const asks: [string, Ask][] = [
    ['{"action":"ENTRY"}', { kind: "enter", direction: null }],
    ['{"action":"ENTRY","position":"long"}', { kind: "enter", direction: "LONG" }],
    ['{"action":"exit"}', { kind: "exit" }],
    ['{"action":"EXIT","position":"flat"}', { kind: "exit" }],
    ['{"action":" Reverse "}', { kind: "reverse" }],
  ];
  for (const [body, ask] of asks) it(body, () => expect(askOf(parseAlert(body, "json", "LONG"))).toEqual(ask));

  const times: [unknown, string][] = [
    ["2026-11-26T15:07:00+05:30", "2026-11-26T09:37:00.000Z"],
    ["2026-11-26T15:07:00+0530", "2026-11-26T09:37:00.000Z"],
    ["2026-11-26 09:37:00.250Z", "2026-11-26T09:37:00.250Z"],
    [1796117820, "2026-12-01T09:37:00.000Z"],
    [1796117820123, "2026-12-01T09:37:00.123Z"],
    ["1796117820", "2026-12-01T09:37:00.000Z"],
  ];
  for (const [ts, iso] of times) {
    it(`ts ${JSON.stringify(ts)}`, () => {
      const result = parseAlert(JSON.stringify({ action: "EXIT", ts }), "json", "BOTH");
      expect(result.ok && result.alert.sentAt?.toISOString()).toBe(iso);
    });
  }

  const refused: [unknown, string][] = [
    [{ action: "ENTRY", position: "flat" }, "position"],
    [{ action: "EXIT", position: "short" }, "position"],
    [{ action: "REVERSE", position: "long" }, "position"],
    [{ action: "ENTRY", position: 1 }, "position"],
    [{ action: "ENTRY", position: "up" }, "position"],
    [{ action: "OPEN" }, "action"],
    [{ action: 1 }, "action"],
    [{ position: "long" }, "action"],
    [{ action: "EXIT", id: "" }, "id"],
    [{ action: "EXIT", id: "x".repeat(101) }, "id"],
    [{ action: "EXIT", id: "a\u0000b" }, "id"],
    [{ action: "EXIT", id: 42 }, "id"],
    [{ action: "EXIT", ts: "2026-02-30T10:00:00Z" }, "ts"],
    [{ action: "EXIT", ts: "2026-11-26T10:00:00" }, "ts"],
    [{ action: "EXIT", ts: "yesterday" }, "ts"],
    [{ action: "EXIT", ts: 1 }, "ts"],
    [{ action: "EXIT", ts: "4133980800" }, "ts"],
    [{ action: "EXIT", ts: true }, "ts"],
    [{ action: "EXIT", lots_multiplier: 0 }, "lots_multiplier"],
    [{ action: "EXIT", lots_multiplier: "-1" }, "lots_multiplier"],
    [{ action: "EXIT", lots_multiplier: "100.5" }, "lots_multiplier"],
    [{ action: "EXIT", lots_multiplier: "1.23456" }, "lots_multiplier"],
    [{ action: "EXIT", lots_multiplier: "abc" }, "lots_multiplier"],
    [{ action: "EXIT", symbol: 5 }, "symbol"],
    [{ action: "EXIT", meta: { note: "{{strategy.order.comment}}" } }, "meta.note"],
  ];
  for (const [o, field] of refused) {
    it(`refuses ${JSON.stringify(o)}`, () =>
      expect(refusal(parseAlert(JSON.stringify(o), "json", "BOTH"))).toBe(field));
  }
  it("takes the biggest multiplier and a number with 4 decimals", () => {
    const a = parseAlert('{"action":"EXIT","lots_multiplier":100}', "json", "BOTH");
    const b = parseAlert('{"action":"EXIT","lots_multiplier":0.0001}', "json", "BOTH");
    expect(a.ok && a.alert.lotsMultiplier?.toString()).toBe("100");
    expect(b.ok && b.alert.lotsMultiplier?.toString()).toBe("0.0001");
  });
  it("refuses top-level JSON that is not an object", () => {
    for (const body of ["[]", "null", "1", '"ENTRY"', "true"])
      expect(refusal(parseAlert(body, "json", "BOTH"))).toBe("body");
  });
});

describe("parseAlert: OpenAlgo strategy-webhook JSON", () => {
  const table: [string, WebhookMode, Ask | string][] = [
    ['{"symbol":"NIFTY","action":"BUY"}', "LONG", { kind: "enter", direction: "LONG" }],
    ['{"symbol":"NIFTY","action":"SELL"}', "LONG", { kind: "exit" }],
    ['{"symbol":"NIFTY","action":"SELL","position_size":"5"}', "SHORT", { kind: "enter", direction: "SHORT" }],
    ['{"symbol":"NIFTY","action":"buy"}', "SHORT", { kind: "exit" }],
    ['{"symbol":"NIFTY","action":"BUY","position_size":1}', "BOTH", { kind: "target", position: "LONG" }],
    ['{"symbol":"NIFTY","action":"BUY","position_size":0}', "BOTH", { kind: "target", position: "FLAT" }],
    ['{"symbol":"NIFTY","action":"SELL","position_size":"-2"}', "BOTH", { kind: "target", position: "SHORT" }],
    ['{"symbol":"NIFTY","action":"SELL","position_size":"0"}', "BOTH", { kind: "target", position: "FLAT" }],
    ['{"symbol":"NIFTY","action":"BUY"}', "BOTH", "position_size"],
    ['{"symbol":"NIFTY","action":"BUY","position_size":-1}', "BOTH", "position_size"],
    ['{"symbol":"NIFTY","action":"SELL","position_size":1}', "BOTH", "position_size"],
    ['{"symbol":"NIFTY","action":"BUY","position_size":1.5}', "BOTH", "position_size"],
    ['{"symbol":"NIFTY","action":"BUY","position_size":"1.5"}', "LONG", "position_size"],
    ['{"symbol":"NIFTY","action":"BUY","position_size":2000000000}', "BOTH", "position_size"],
    ['{"symbol":"NIFTY","action":"BUY","position_size":1e400}', "BOTH", "position_size"],
    ['{"symbol":"NIFTY","action":"BUY","position_size":null}', "BOTH", "position_size"],
    ['{"symbol":["NIFTY"],"action":"BUY","position_size":1}', "BOTH", "symbol"],
  ];
  for (const [body, mode, want] of table) {
    it(`${mode}: ${body}`, () => {
      const result = parseAlert(body, "json", mode);
      if (typeof want === "string") expect(refusal(result)).toBe(want);
      else {
        expect(askOf(result)).toEqual(want);
        expect(result.ok && result.alert.format).toBe("openalgo");
      }
    });
  }
});

describe("parseAlert: OpenAlgo smart-order JSON as TradingView fills it", () => {
  const table: [string, Ask][] = [
    [smart("buy", "1", "1"), { kind: "target", position: "LONG" }],
    [smart("buy", "1", "2"), { kind: "target", position: "LONG" }],
    [smart("sell", "1", "1"), { kind: "target", position: "LONG", reducing: true }],
    [smart("sell", "2", "0"), { kind: "target", position: "FLAT" }],
    [smart("sell", "2", "-1"), { kind: "target", position: "SHORT" }],
    [smart("buy", "1", "-1"), { kind: "target", position: "SHORT", reducing: true }],
    [smart("buy", "1", "0"), { kind: "target", position: "FLAT" }],
    [smart("BUY", "0", "2.0"), { kind: "target", position: "LONG" }],
  ];
  for (const [body, ask] of table) {
    it(body, () => {
      for (const mode of MODES) {
        const result = parseAlert(body, "text", mode);
        expect(askOf(result)).toEqual(ask);
        expect(result.ok && result.alert).toMatchObject({ format: "smart", symbol: "NIFTY", clientId: null });
      }
    });
  }
  const unfilled: [string, string][] = [
    [SMART_TEMPLATE, "action"],
    [smart("buy", "{{strategy.order.contracts}}", "1"), "quantity"],
    [smart("buy", "1", "{{strategy.position_size}}"), "position_size"],
  ];
  for (const [body, field] of unfilled) {
    it(`unfilled: names ${field}`, () => {
      const result = parseAlert(body, "text", "BOTH");
      expect(refusal(result)).toBe(field);
      expect(!result.ok && result.message).toMatch(/^TradingView did not fill in \{\{strategy\.[a-z_.]+\}\}: /);
    });
  }
  const refused: [unknown, string][] = [
    [{ action: "BUY", exchange: "NFO" }, "position_size"],
    [{ action: "BUY", exchange: "NFO", position_size: "1", quantity: "-1" }, "quantity"],
    [{ action: "BUY", exchange: "NFO", position_size: "1", quantity: "0.5" }, "quantity"],
    [{ action: "BUY", exchange: "NFO", position_size: "1", contracts: 1.5 }, "contracts"],
    [{ action: "BUY", exchange: 1, position_size: "1" }, "exchange"],
    [{ action: "BUY", apikey: ["x"], position_size: "1" }, "apikey"],
    [{ action: "BUY", product: "MIS", position_size: "NaN" }, "position_size"],
    [{ action: "BUY", product: "MIS", position_size: "1e3" }, "position_size"],
    [{ action: "BUY", product: "MIS", position_size: "" }, "position_size"],
  ];
  for (const [o, field] of refused) {
    it(`refuses ${JSON.stringify(o)}`, () =>
      expect(refusal(parseAlert(JSON.stringify(o), "json", "LONG"))).toBe(field));
  }
});
