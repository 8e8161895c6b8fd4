/**
 * Dhan's connection probe against the simulator: the simulated Dhan answers a token-less profile call as Dhan does
 * (401, DH-901), the OpenAlgo API of the same server does not, and a closed port is unreachable.
 */
import { lookup } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";
import { dhanProbe } from "./probe";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ httpPort: 0, wsPort: 0, adminToken: "probe-admin", seed: 3, clock: { mode: "fixed" } });
});
afterAll(async () => {
  await sim?.close();
});

describe("dhan probe", () => {
  it("accepts an API root that answers as Dhan", async () => {
    expect(await dhanProbe.api(`${sim.httpUrl}/dhan/v2`, "any", lookup)).toEqual({
      ok: true,
      broker: "dhan",
      mode: "live",
    });
    expect(await dhanProbe.ws("", "any", lookup)).toEqual({ ok: true });
  });

  it("refuses a server that answers, but not as Dhan, and reports a closed port as unreachable", async () => {
    expect(await dhanProbe.api(`${sim.httpUrl}/api/v1`, "any", lookup)).toMatchObject({
      ok: false,
      reason: "not_openalgo",
    });
    expect(await dhanProbe.api("http://127.0.0.1:9/v2", "any", lookup)).toMatchObject({
      ok: false,
      reason: "unreachable",
    });
  });
});
