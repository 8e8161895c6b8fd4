import { describe, expect, it } from "vitest";
import { nextProbeAt, parseHttpDate, sampleBounds, skewBounds, skewEstimate, type ClockSample } from "./clock-skew";

describe("HTTP Date header", () => {
  it("reads IMF-fixdate, the form HTTP/1.1 servers send", () => {
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate("Mon, 07 Dec 2026 03:15:00 GMT")).toBe(Date.UTC(2026, 11, 7, 3, 15, 0));
    // What Node's own HTTP server writes, round-tripped.
    const ms = Date.UTC(2026, 0, 26, 23, 59, 59);
    expect(parseHttpDate(new Date(ms).toUTCString())).toBe(ms);
  });

  it("refuses obsolete forms, other zones, impossible dates and missing headers instead of guessing", () => {
    for (const bad of [
      "Sunday, 06-Nov-94 08:49:37 GMT",
      "Sun Nov  6 08:49:37 1994",
      "Sun, 06 Nov 1994 08:49:37 +0530",
      "Sun, 31 Feb 2026 08:49:37 GMT",
      "Sun, 06 Nov 1994 25:49:37 GMT",
      "",
      null,
      undefined,
    ])
      expect(parseHttpDate(bad), String(bad)).toBeNull();
  });
});

/** A server whose clock runs `skew` ms ahead of ours and writes its header `rtt / 2` after the request leaves. */
function serverAnswer(sentAt: number, skew: number, rtt: number): ClockSample {
  const serverNow = sentAt + rtt / 2 + skew;
  return { sentAt, receivedAt: sentAt + rtt, date: new Date(Math.floor(serverNow / 1000) * 1000).toUTCString() };
}

describe("skew bounds", () => {
  it("one answer bounds the skew to one second plus the round trip, and contains it", () => {
    const s = serverAnswer(1_000_000_250, 1_300, 40);
    const b = sampleBounds(s)!;
    expect(b.hi - b.lo).toBe(1_040);
    expect(b.lo).toBeLessThanOrEqual(1_300);
    expect(b.hi).toBeGreaterThan(1_300);
  });

  it("samples without a readable header, or with reversed times, give nothing", () => {
    expect(sampleBounds({ sentAt: 10, receivedAt: 20, date: null })).toBeNull();
    expect(sampleBounds({ sentAt: 20, receivedAt: 10, date: "Sun, 06 Nov 1994 08:49:37 GMT" })).toBeNull();
    expect(skewBounds([{ sentAt: 10, receivedAt: 20, date: "garbage" }])).toBeNull();
  });

  it("intersects answers; an answer contradicting the earlier ones (a stepped clock) starts afresh", () => {
    const a = serverAnswer(1_000_000_000, 0, 10);
    const b = serverAnswer(1_000_000_600, 0, 10);
    const both = skewBounds([a, b])!;
    expect(both.hi - both.lo).toBeLessThan(sampleBounds(a)!.hi - sampleBounds(a)!.lo);
    const stepped = serverAnswer(1_000_002_000, 60_000, 10);
    expect(skewBounds([a, b, stepped])).toEqual(sampleBounds(stepped));
  });

  it.each([0, 250, -700, 1_999, 3_456, -12_345])(
    "probes timed on the server's second boundary narrow a skew of %i ms to well under the AMBER threshold",
    (skew) => {
      const rtt = 30;
      let now = 1_765_000_000_123;
      const samples = [serverAnswer(now, skew, rtt)];
      now += rtt;
      for (let i = 0; i < 5; i++) {
        const at = nextProbeAt(skewBounds(samples)!, now, rtt);
        expect(at).toBeGreaterThanOrEqual(now);
        expect(at - now).toBeLessThan(1_000);
        samples.push(serverAnswer(at, skew, rtt));
        now = at + rtt;
      }
      const b = skewBounds(samples)!;
      expect(b.lo).toBeLessThanOrEqual(skew);
      expect(b.hi).toBeGreaterThan(skew);
      const { skewMs, uncertaintyMs } = skewEstimate(b);
      expect(uncertaintyMs).toBeLessThanOrEqual(100);
      expect(Math.abs(skewMs - skew)).toBeLessThanOrEqual(100);
    },
  );
});
