import { describe, expect, it } from "vitest";
import { isJsonContentType, isSameOriginRequest } from "./same-origin";

const policy = { appUrl: "https://desk.example.in", trustHost: false };
const h = (init: Record<string, string>) => new Headers(init);

describe("isSameOriginRequest", () => {
  it("trusts the browser's Sec-Fetch-Site when present: only same-origin passes", () => {
    expect(isSameOriginRequest(h({ "sec-fetch-site": "same-origin" }), policy)).toBe(true);
    for (const site of ["cross-site", "same-site", "none"]) {
      expect(isSameOriginRequest(h({ "sec-fetch-site": site, origin: "https://desk.example.in" }), policy)).toBe(false);
    }
  });
  it("otherwise needs an Origin equal to APP_URL's origin", () => {
    expect(isSameOriginRequest(h({ origin: "https://desk.example.in" }), policy)).toBe(true);
    expect(isSameOriginRequest(h({ origin: "https://evil.example" }), policy)).toBe(false);
    expect(isSameOriginRequest(h({ origin: "http://desk.example.in" }), policy)).toBe(false);
    expect(isSameOriginRequest(h({ origin: "https://desk.example.in:8443" }), policy)).toBe(false);
    expect(isSameOriginRequest(h({ origin: "null" }), policy)).toBe(false);
    expect(isSameOriginRequest(h({ origin: "not a url" }), policy)).toBe(false);
    expect(isSameOriginRequest(h({}), policy)).toBe(false);
  });
  it("with trustHost, also accepts the host the request was addressed to (behind a proxy: X-Forwarded-Host/Proto)", () => {
    const trusting = { ...policy, trustHost: true };
    expect(isSameOriginRequest(h({ origin: "http://localhost:3000", host: "localhost:3000" }), trusting)).toBe(true);
    expect(isSameOriginRequest(h({ origin: "http://localhost:3000", host: "localhost:3000" }), policy)).toBe(false);
    expect(isSameOriginRequest(h({ origin: "https://evil.example", host: "localhost:3000" }), trusting)).toBe(false);
    const proxied = {
      origin: "https://trade.example.in",
      host: "web:3000",
      "x-forwarded-host": "trade.example.in",
      "x-forwarded-proto": "https",
    };
    expect(isSameOriginRequest(h(proxied), trusting)).toBe(true);
    expect(isSameOriginRequest(h({ ...proxied, "x-forwarded-proto": "http" }), trusting)).toBe(false);
  });
});

describe("isJsonContentType", () => {
  it("accepts application/json with parameters, nothing else", () => {
    expect(isJsonContentType(h({ "content-type": "application/json" }))).toBe(true);
    expect(isJsonContentType(h({ "content-type": "Application/JSON; charset=utf-8" }))).toBe(true);
    for (const t of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonp",
    ]) {
      expect(isJsonContentType(h({ "content-type": t }))).toBe(false);
    }
    expect(isJsonContentType(h({}))).toBe(false);
  });
});
