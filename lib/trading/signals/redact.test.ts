import { describe, expect, it } from "vitest";
import { REDACTED, TRUNCATED, redactAlertBody } from "./redact";

const TOKEN = "whk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd";
const KEY = "mdk_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0";

describe("redactAlertBody: JSON", () => {
  it("masks secret-looking keys at any depth and keeps the rest, compactly", () => {
    const body = JSON.stringify(
      {
        apikey: "abc123",
        strategy: "TV",
        action: "BUY",
        position_size: "1",
        meta: { api_key: "x", Token: 5, nested: [{ password: "p", passwd: "q", keep: "ok" }] },
        signature: "sha256=ff",
        authorization: "Bearer y",
        client_secret: null,
      },
      null,
      2,
    );
    expect(JSON.parse(redactAlertBody(body))).toEqual({
      apikey: REDACTED,
      strategy: "TV",
      action: "BUY",
      position_size: "1",
      meta: { api_key: REDACTED, Token: REDACTED, nested: [{ password: REDACTED, passwd: REDACTED, keep: "ok" }] },
      signature: REDACTED,
      authorization: REDACTED,
      client_secret: REDACTED,
    });
    expect(redactAlertBody(body)).not.toContain("\n");
  });

  it("masks MirrorDesk tokens and keys inside ordinary values", () => {
    const out = redactAlertBody(JSON.stringify({ action: "ENTRY", note: `url /api/hooks/${TOKEN} key ${KEY}` }));
    expect(out).not.toContain(TOKEN.slice(4));
    expect(out).not.toContain(KEY.slice(4));
    expect(JSON.parse(out)).toEqual({ action: "ENTRY", note: `url /api/hooks/whk_${REDACTED} key mdk_${REDACTED}` });
  });

  it("keeps a JSON body without secrets as it was (compacted)", () => {
    expect(redactAlertBody('{ "action": "EXIT", "id": "a-1" }')).toBe('{"action":"EXIT","id":"a-1"}');
  });
});

describe("redactAlertBody: text", () => {
  const cases: [string, string, string][] = [
    ["a plain word", "  ENTRY LONG ", "  ENTRY LONG "],
    ["a webhook token", `EXIT ${TOKEN}`, `EXIT whk_${REDACTED}`],
    ["an API key", `ENTRY ${KEY}`, `ENTRY mdk_${REDACTED}`],
    ["apikey=...", "ENTRY apikey=s3cr3t&x=1", `ENTRY apikey=${REDACTED}&x=1`],
    ["token: ...", "token: abc def", `token: ${REDACTED} def`],
    ["broken JSON with a secret", '{"apikey": "s3cr3t", "action": ', `{"apikey": ${REDACTED}, "action": `],
  ];
  for (const [name, body, want] of cases) it(name, () => expect(redactAlertBody(body)).toBe(want));
});

describe("redactAlertBody: size", () => {
  it("caps long bodies and says so", () => {
    const out = redactAlertBody("x".repeat(20_000));
    expect(out).toHaveLength(16_384);
    expect(out.endsWith(TRUNCATED)).toBe(true);
  });

  it("takes a smaller cap and never splits a surrogate pair", () => {
    const out = redactAlertBody("😀".repeat(50), 21);
    expect(out.endsWith(TRUNCATED)).toBe(true);
    expect(out.length).toBeLessThanOrEqual(21);
    expect(out.replace(TRUNCATED, "")).toBe("😀".repeat(4));
  });

  it("leaves a body at the cap alone", () => {
    expect(redactAlertBody("y".repeat(100), 100)).toBe("y".repeat(100));
  });
});
