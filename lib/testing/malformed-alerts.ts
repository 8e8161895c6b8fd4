/**
 * Malformed webhook alerts, each with the status a correct ingress must answer (docs/webhooks.md "Alert formats").
 * Deterministic: a systematic core (every field of every form with wrong types and unfilled placeholders, unknown
 * actions, bad numbers and times, non-objects, wrong content types, oversize bodies) topped up with seeded random
 * variants (truncated JSON, junk bytes). A case is malformed in every webhook mode unless it carries `mode`.
 */
import { mulberry32 } from "@/lib/simulator/market/prng";
import type { WebhookMode } from "@/lib/trading/signals/types";

export interface MalformedAlert {
  name: string;
  body: string | Uint8Array;
  contentType: string | null;
  expect: 400 | 413 | 415;
  /** The only webhook mode the case is malformed for (absent = every mode). */
  mode?: WebhookMode;
}

const JSON_TYPES = ["application/json", "text/plain", "application/json; charset=utf-8", "text/plain; charset=utf-8"];
const OTHER_TYPES = [
  "text/html",
  "multipart/form-data; boundary=mdk",
  "application/x-www-form-urlencoded",
  "application/xml",
  "application/octet-stream",
  "text/csv",
  null,
];

type Obj = Record<string, unknown>;
const FORMS: Record<string, Obj> = {
  mirrordesk: { action: "ENTRY", position: "long", id: "bar-1", ts: "2026-11-26T09:37:00Z", lots_multiplier: "1" },
  openalgo: { symbol: "NIFTY", action: "BUY", position_size: 1, id: "bar-2", ts: 1796117820, lots_multiplier: 2 },
  smart: {
    apikey: "k",
    strategy: "TradingView Strategy",
    symbol: "NIFTY",
    action: "buy",
    exchange: "NFO",
    pricetype: "MARKET",
    product: "MIS",
    quantity: "1",
    position_size: "1",
  },
};
/** Fields whose valid values are strings only, and fields that take numbers (or numeric strings). */
const NUMERIC = new Set(["ts", "lots_multiplier", "position_size", "quantity", "contracts"]);
const WRONG_ANY: unknown[] = [true, false, null, [], {}, { x: 1 }, ["1"]];
const WRONG_FOR_STRING: unknown[] = [0, 1.5, -1];
const WRONG_FOR_NUMBER: unknown[] = ["abc", "", " ", "1,000", "0x10", "1e3", "NaN", "Infinity"];
const PLACEHOLDERS = ["{{strategy.order.action}}", "{{strategy.position_size}}", "{{ticker}}", "x {{timenow}} y"];
const BAD_ACTIONS = ["OPEN", "CLOSE", "LONG", "SHORT", "FLAT", "", " ", "ENTRYX", "E N T R Y", "ЕNTRY", "buy_to_open"];
const BAD_TEXT = ["BUY", "SELL", "CLOSE", "EXIT LONG", "OPEN SHORT", "ENTRY FLAT", "ENTRY LONG NOW", "hello", "E"];
const BAD_TS = [
  "yesterday",
  "2026-13-01T00:00:00Z",
  "2026-02-30T10:00:00Z",
  "2026-11-26T09:37:00",
  "1999-12-31T23:59:59Z",
  1,
  5e12,
  -1796117820,
  "2101-01-01T00:00:00Z",
];
const BAD_SIZES = [1.5, "1.5", 1e10, "99999999999", 2e9, -2e9, "--1", "+-1", "1 2"];
const RANDOM_CASES = 80;
const BAD_MULTIPLIERS = [0, -1, 101, 100.5, "1.00001", "1e2", "-0.5", "0"];

export function malformedAlerts(count: number, seed: number): MalformedAlert[] {
  const out: MalformedAlert[] = [];
  const seen = new Set<string>();
  const names = new Set<string>();
  const add = (c: MalformedAlert) => {
    const body = typeof c.body === "string" ? c.body : `bytes:${Array.from(c.body).join(",")}`;
    const key = `${body}\u0000${c.contentType}\u0000${c.mode ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    let name = c.name;
    if (names.has(name)) name = `${name} [${c.contentType ?? "no content type"}]`;
    if (names.has(name)) name = `${name} #${out.length}`;
    names.add(name);
    out.push({ ...c, name });
  };
  let n = 0;
  const jsonType = () => JSON_TYPES[n++ % JSON_TYPES.length]!;
  const json = (name: string, o: unknown, mode?: WebhookMode) =>
    add({ name, body: JSON.stringify(o), contentType: jsonType(), expect: 400, ...(mode ? { mode } : {}) });

  for (const [form, template] of Object.entries(FORMS)) {
    for (const field of Object.keys(template)) {
      const wrong = [...WRONG_ANY, ...(NUMERIC.has(field) ? WRONG_FOR_NUMBER : WRONG_FOR_STRING)];
      wrong.forEach((v, i) =>
        json(`${form}: ${field} of a wrong type #${i} (${JSON.stringify(v)})`, { ...template, [field]: v }),
      );
      PLACEHOLDERS.forEach((p, i) =>
        json(`${form}: unfilled placeholder in ${field} #${i}`, { ...template, [field]: p }),
      );
    }
    json(`${form}: unfilled placeholder in an extra key`, { ...template, comment: "{{strategy.order.comment}}" });
    json(`${form}: unfilled placeholder nested deep`, { ...template, meta: { a: [{ b: "{{plot_0}}" }] } });
    json(`${form}: no action`, { ...template, action: undefined });
    BAD_ACTIONS.forEach((a, i) => json(`${form}: unknown action #${i} (${a})`, { ...template, action: a }));
    BAD_TS.forEach((ts, i) => json(`${form}: bad ts #${i} (${ts})`, { ...template, ts }));
    BAD_MULTIPLIERS.forEach((m, i) =>
      json(`${form}: bad lots_multiplier #${i} (${m})`, { ...template, lots_multiplier: m }),
    );
    for (const id of ["", "   ", "x".repeat(101), "a\u0000b", "tab\there", "\u200b"]) {
      json(`${form}: bad id ${JSON.stringify(id).slice(0, 20)}`, { ...template, id });
    }
  }
  for (const size of BAD_SIZES) {
    json(`openalgo: bad position_size ${size}`, { ...FORMS.openalgo, position_size: size });
    json(`smart: bad position_size ${size}`, { ...FORMS.smart, position_size: size });
    json(`smart: bad quantity ${size}`, { ...FORMS.smart, quantity: size });
  }
  for (const q of [-1, "-1", 0.5]) json(`smart: bad quantity ${q}`, { ...FORMS.smart, quantity: q });
  json("smart: no position_size", { ...FORMS.smart, position_size: undefined });
  // Only a two-sided webhook needs position_size and checks its sign.
  json("openalgo BOTH: no position_size", { symbol: "NIFTY", action: "BUY" }, "BOTH");
  json("openalgo BOTH: BUY with a short size", { symbol: "NIFTY", action: "BUY", position_size: -1 }, "BOTH");
  json("openalgo BOTH: SELL with a long size", { symbol: "NIFTY", action: "SELL", position_size: "3" }, "BOTH");
  for (const [name, position] of [
    ["ENTRY flat", "flat"],
    ["ENTRY sideways", "sideways"],
  ] as const) {
    json(`mirrordesk: ${name}`, { action: "ENTRY", position });
  }
  json("mirrordesk: EXIT with a side", { action: "EXIT", position: "short" });
  json("mirrordesk: REVERSE with a side", { action: "REVERSE", position: "long" });
  json("mirrordesk: action nested", { action: { value: "ENTRY" } });
  json("empty object", {});
  json("only junk keys", { foo: 1, bar: [1, 2, { baz: null }] });

  const raw = (name: string, body: string, contentType: string | null = jsonType()) =>
    add({ name, body, contentType, expect: 400 });
  const rawAll = (name: string, body: string) => JSON_TYPES.forEach((t) => raw(`${name} (${t})`, body, t));
  rawAll("trailing comma", '{"action":"EXIT",}');
  rawAll("single quotes", "{'action':'EXIT'}");
  rawAll("unquoted key", '{action:"EXIT"}');
  rawAll("NaN value", '{"action":"ENTRY","lots_multiplier":NaN}');
  rawAll("Infinity value", '{"action":"ENTRY","lots_multiplier":Infinity}');
  rawAll("comment", '{"action":"EXIT" /* why */}');
  rawAll("unfilled unquoted placeholder", '{"action":"EXIT","ts":{{timenow}}}');
  rawAll("two objects", '{"action":"EXIT"}{"action":"EXIT"}');
  rawAll("empty body", "");
  rawAll("whitespace body", " \n\t ");
  rawAll("a huge number", '{"symbol":"NIFTY","action":"BUY","position_size":1e400}');
  rawAll("a huge negative number", '{"symbol":"NIFTY","action":"SELL","position_size":-1e400}');
  rawAll("a duplicate key ending wrong", '{"action":"EXIT","action":"OPEN"}');
  rawAll("deep nesting without action", `{"a":${"[".repeat(500)}${"]".repeat(500)}}`);
  for (const top of ["[]", '[{"action":"EXIT"}]', "null", "42", "true", '"ENTRY"'])
    raw(`top-level ${top}`, top, "application/json");
  for (const top of ["[]", '[{"action":"EXIT"}]', "null", "42", '"ENTRY"'])
    raw(`top-level text ${top}`, top, "text/plain");
  BAD_TEXT.forEach((t) => raw(`text: ${t}`, t, "text/plain"));
  raw("text: unfilled market position", "{{strategy.market_position}}", "text/plain");
  raw("text: unfilled placeholder after a word", "ENTRY {{strategy.market_position}}", "text/plain");
  raw("text: an unfilled placeholder as JSON", "{{strategy.market_position}}", "application/json");
  raw("a plain word as JSON", "EXIT", "application/json");
  add({
    name: "invalid UTF-8 in a value",
    body: withBytes('{"action":"EXIT","id":"', [0xff, 0xfe], '"}'),
    contentType: "application/json",
    expect: 400,
  });
  add({
    name: "a truncated UTF-8 sequence",
    body: withBytes('{"action":"EXIT","id":"a', [0xe2, 0x82], '"}'),
    contentType: "text/plain",
    expect: 400,
  });
  add({
    name: "an overlong UTF-8 encoding",
    body: withBytes("EXI", [0xc1, 0x94], ""),
    contentType: "text/plain",
    expect: 400,
  });

  const valid = ['{"action":"EXIT"}', "EXIT", '{"symbol":"NIFTY","action":"BUY","position_size":1}', "ENTRY LONG"];
  OTHER_TYPES.forEach((t) =>
    valid.forEach((b, i) =>
      add({ name: `content type ${t ?? "missing"} #${i}`, body: b, contentType: t, expect: 415 }),
    ),
  );
  add({
    name: "form-encoded alert",
    body: "action=EXIT&id=1",
    contentType: "application/x-www-form-urlencoded",
    expect: 415,
  });
  add({ name: "XML alert", body: "<alert><action>EXIT</action></alert>", contentType: "application/xml", expect: 415 });

  const pad = (bytes: number) => `{"action":"EXIT","pad":"${"x".repeat(bytes - 26)}"}`;
  add({ name: "one byte over 16 KB", body: pad(16_385), contentType: "application/json", expect: 413 });
  add({ name: "64 KB", body: pad(65_536), contentType: "text/plain", expect: 413 });
  // 6,000 characters but 18,000+ bytes: the cap counts bytes.
  add({
    name: "multi-byte characters over the byte cap",
    body: `{"action":"EXIT","pad":"${"€".repeat(6_000)}"}`,
    contentType: "application/json",
    expect: 413,
  });
  add({ name: "1 MB of text", body: "EXIT ".repeat(210_000), contentType: "text/plain", expect: 413 });

  const random = mulberry32(seed);
  const templates = Object.values(FORMS).map((o) => JSON.stringify(o));
  // At least RANDOM_CASES seeded variants, more when the systematic core falls short of `count`.
  const target = Math.max(count, out.length + RANDOM_CASES);
  for (let i = 0; out.length < target && i < target * 20; i++) {
    const pick = random();
    if (pick < 0.6) {
      // A strict prefix of a JSON object is never valid JSON.
      const t = templates[Math.floor(random() * templates.length)]!;
      const cut = 1 + Math.floor(random() * (t.length - 1));
      raw(`truncated at ${cut}: ${t.slice(0, 24)}…`, t.slice(0, cut));
    } else {
      const bytes = Array.from({ length: 4 + Math.floor(random() * 60) }, () => Math.floor(random() * 256));
      bytes[Math.floor(random() * bytes.length)] = 0xff; // never valid UTF-8
      const type = pick < 0.8 ? jsonType() : "application/octet-stream";
      add({
        name: `junk bytes #${i}`,
        body: Uint8Array.from(bytes),
        contentType: type,
        expect: type === "application/octet-stream" ? 415 : 400,
      });
    }
  }
  return out;
}

function withBytes(before: string, bytes: number[], after: string): Uint8Array {
  const enc = new TextEncoder();
  return Uint8Array.from([...enc.encode(before), ...bytes, ...enc.encode(after)]);
}
