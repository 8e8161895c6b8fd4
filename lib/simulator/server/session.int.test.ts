/**
 * Compatibility suite, broker sessions across days on the simulated clock: OpenAlgo revokes every session at
 * 03:00 IST (docs/openalgo.md "Sessions"); instances with `autoLoginAt` (the demo instances: SIM_AUTO_LOGIN_AT, 08:45
 * by default) get it back each morning as a trader's login would, the others stay 403 until a control-API login.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { istInstant } from "@/lib/trading/calendar";
import type { RunningSimulator } from "./start-simulator";
import { ALPHA, control, post, startTestSimulator } from "@/lib/testing/simulator-server-kit";

const DAWN = { id: "dawn", apiKey: "key-dawn", capital: "500000", autoLoginAt: "08:45" };
let sim: RunningSimulator;
let url: string;
const ping = async (apikey: string) => (await post(url, "/api/v1/ping", { apikey })).status;
const at = (date: string, hhmm: string) => control(url, "POST", "/clock", { set: istInstant(date, hhmm) });

beforeAll(async () => {
  sim = await startTestSimulator({ instances: [ALPHA, DAWN] });
  url = sim.httpUrl;
});
afterAll(() => sim.close());

describe("morning auto-login", () => {
  it("restores the session at autoLoginAt after the 03:00 IST revocation, day after day; others stay revoked", async () => {
    const listed = (await control(url, "GET", "/instances")).json.instances as {
      id: string;
      autoLoginAt: string | null;
    }[];
    expect(listed.map((i) => [i.id, i.autoLoginAt])).toEqual([
      ["alpha", null],
      ["dawn", "08:45"],
    ]);
    expect([await ping(ALPHA.apiKey), await ping(DAWN.apiKey)]).toEqual([200, 200]);

    // Tuesday 03:01 IST: both revoked overnight.
    await at("2026-11-24", "03:01");
    expect([await ping(ALPHA.apiKey), await ping(DAWN.apiKey)]).toEqual([403, 403]);
    await at("2026-11-24", "08:44");
    expect(await ping(DAWN.apiKey)).toBe(403);
    // 08:45: the morning login; the instance without one still needs a person.
    await at("2026-11-24", "08:45");
    expect([await ping(ALPHA.apiKey), await ping(DAWN.apiKey)]).toEqual([403, 200]);

    // A revocation after the morning login holds until the next morning's login, not earlier.
    await at("2026-11-24", "10:00");
    await control(url, "POST", "/instances/dawn/revoke");
    await at("2026-11-24", "23:00");
    expect(await ping(DAWN.apiKey)).toBe(403);
    await at("2026-11-25", "08:46");
    expect(await ping(DAWN.apiKey)).toBe(200);

    // A demo left alone over a long weekend: nobody reads the session for days, it still works in the morning...
    await at("2026-11-30", "09:30");
    expect(await ping(DAWN.apiKey)).toBe(200);
    // ...but not between 03:00 and the login.
    await at("2026-12-01", "05:00");
    expect(await ping(DAWN.apiKey)).toBe(403);
    expect(await ping(ALPHA.apiKey)).toBe(403);
  });

  it("is refused when not HH:MM", async () => {
    const bad = await control(url, "POST", "/instances", {
      id: "late",
      apiKey: "key-late",
      capital: "1000",
      autoLoginAt: "8:45",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([expect.objectContaining({ field: "autoLoginAt" })]);
  });
});
