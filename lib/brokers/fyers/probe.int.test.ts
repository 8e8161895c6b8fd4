/** Fyers' "Test connection" against the simulator: its Fyers root passes, its OpenAlgo root is "not Fyers". */
import { lookup } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fyersProbe } from "@/lib/brokers/fyers/probe";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { FYERS_APP_ID, startFyersSim } from "@/lib/testing/fyers-kit";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startFyersSim();
});
afterAll(async () => {
  await sim.close();
});

describe("fyers probe", () => {
  it("accepts an API root that refuses a missing token in Fyers' envelope", async () => {
    expect(await fyersProbe.api(`${sim.httpUrl}/fyers`, FYERS_APP_ID, lookup)).toEqual({
      ok: true,
      broker: "fyers",
      mode: "live",
    });
    expect(await fyersProbe.ws("", FYERS_APP_ID, lookup)).toEqual({ ok: true });
  });

  it("calls anything else not Fyers, and a closed port unreachable", async () => {
    expect(await fyersProbe.api(sim.httpUrl, FYERS_APP_ID, lookup)).toMatchObject({
      ok: false,
      reason: "not_openalgo",
    });
    expect(await fyersProbe.api("http://127.0.0.1:1", FYERS_APP_ID, lookup)).toMatchObject({
      ok: false,
      reason: "unreachable",
    });
  });
});
