import { describe, expect, it } from "vitest";
import { clientIp } from "./errors";

const h = (init: Record<string, string>) => new Headers(init);

describe("clientIp", () => {
  it("takes the address our proxy appended, not what the client wrote in front of it", () => {
    // The client sent "X-Forwarded-For: 10.9.9.9" itself; nginx appended the real peer.
    expect(clientIp(h({ "x-forwarded-for": "10.9.9.9, 203.0.113.7" }), 1)).toBe("203.0.113.7");
    expect(clientIp(h({ "x-forwarded-for": "203.0.113.7" }), 1)).toBe("203.0.113.7");
  });
  it("counts hops from the right when several proxies append", () => {
    expect(clientIp(h({ "x-forwarded-for": "10.9.9.9, 203.0.113.7, 172.18.0.5" }), 2)).toBe("203.0.113.7");
    // Fewer entries than hops: the leftmost is the best we know.
    expect(clientIp(h({ "x-forwarded-for": "203.0.113.7" }), 3)).toBe("203.0.113.7");
  });
  it("falls back to X-Real-IP, then unknown", () => {
    expect(clientIp(h({ "x-real-ip": "198.51.100.2" }), 1)).toBe("198.51.100.2");
    expect(clientIp(h({ "x-forwarded-for": " , " }), 1)).toBe("unknown");
    expect(clientIp(h({}), 1)).toBe("unknown");
  });
  it("with no trusted proxy, ignores the client's own X-Forwarded-For and X-Real-IP", () => {
    expect(clientIp(h({ "x-forwarded-for": "203.0.113.7" }), 0)).toBe("unknown");
    expect(clientIp(h({ "x-real-ip": "198.51.100.2" }), 0)).toBe("unknown");
  });
});
