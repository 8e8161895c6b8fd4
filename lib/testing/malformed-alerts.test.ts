import { describe, expect, it } from "vitest";
import { MAX_ALERT_BYTES, alertBodyKind, decodeAlertBody } from "@/lib/trading/signals/body";
import { parseAlert } from "@/lib/trading/signals/parse";
import type { WebhookMode } from "@/lib/trading/signals/types";
import { malformedAlerts, type MalformedAlert } from "./malformed-alerts";

const MODES: WebhookMode[] = ["LONG", "SHORT", "BOTH"];
const cases = malformedAlerts(600, 20261207);

function bytesOf(c: MalformedAlert): Uint8Array {
  return typeof c.body === "string" ? new TextEncoder().encode(c.body) : c.body;
}

describe("malformedAlerts", () => {
  it("gives at least the count asked for, each case distinct and named once", () => {
    expect(cases.length).toBeGreaterThanOrEqual(600);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(malformedAlerts(500, 1).length).toBeGreaterThanOrEqual(500);
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const again = malformedAlerts(600, 20261207);
    expect(again.map((c) => c.name)).toEqual(cases.map((c) => c.name));
    expect(again).toEqual(cases);
    expect(malformedAlerts(600, 7).map((c) => c.name)).not.toEqual(cases.map((c) => c.name));
  });

  it("spreads over every status and many content types", () => {
    const statuses = new Set(cases.map((c) => c.expect));
    expect([...statuses].sort()).toEqual([400, 413, 415]);
    expect(cases.filter((c) => c.expect === 413).length).toBeGreaterThanOrEqual(3);
    expect(cases.filter((c) => c.expect === 415).length).toBeGreaterThanOrEqual(20);
    expect(cases.filter((c) => c.body instanceof Uint8Array).length).toBeGreaterThanOrEqual(10);
    expect(cases.some((c) => c.contentType === null)).toBe(true);
  });

  it("413 cases are over the byte cap with a taken content type; nothing else is", () => {
    for (const c of cases) {
      const over = bytesOf(c).length > MAX_ALERT_BYTES;
      expect(over, c.name).toBe(c.expect === 413);
      if (c.expect === 413) expect(alertBodyKind(c.contentType), c.name).not.toBeNull();
    }
  });

  it("415 cases, and only they, carry a content type the webhook does not take", () => {
    for (const c of cases) expect(alertBodyKind(c.contentType) === null, c.name).toBe(c.expect === 415);
  });

  it("every 400 case is refused by the parser with a field named, in every mode it is meant for", () => {
    const bad = cases.filter((c) => c.expect === 400);
    expect(bad.length).toBeGreaterThanOrEqual(450);
    let undecodable = 0;
    for (const c of bad) {
      const text = decodeAlertBody(bytesOf(c));
      if (text === null) {
        undecodable++;
        continue;
      }
      for (const mode of c.mode ? [c.mode] : MODES) {
        const result = parseAlert(text, alertBodyKind(c.contentType)!, mode);
        expect(result.ok, `${c.name} in ${mode} mode`).toBe(false);
        if (!result.ok) {
          expect(result.field.length, c.name).toBeGreaterThan(0);
          expect(result.message.length, c.name).toBeGreaterThan(10);
        }
      }
    }
    expect(undecodable).toBeGreaterThanOrEqual(3);
  });

  it("a mode-specific case is accepted in the other modes (so the mode it carries is needed)", () => {
    for (const c of cases.filter((x) => x.mode)) {
      const text = decodeAlertBody(bytesOf(c))!;
      for (const mode of MODES.filter((m) => m !== c.mode)) {
        expect(parseAlert(text, alertBodyKind(c.contentType)!, mode).ok, `${c.name} in ${mode}`).toBe(true);
      }
    }
  });
});
