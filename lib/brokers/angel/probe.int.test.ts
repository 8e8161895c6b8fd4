/** Angel One's "Test connection" against the simulator: SmartAPI answers as SmartAPI; an OpenAlgo root does not. */
import { lookup } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AngelWorld } from "@/lib/testing/angel-kit";
import { startAngelWorld } from "@/lib/testing/angel-kit";
import { brokerEntry } from "@/lib/brokers/registry";

const angelBroker = brokerEntry("angel");

let world: AngelWorld;
beforeAll(async () => {
  world = await startAngelWorld("angprobe");
});
afterAll(async () => {
  await world?.sim.close();
});

describe("angel probe", () => {
  it("the simulator's /angel answers as SmartAPI without a session; its OpenAlgo root does not", async () => {
    expect(await angelBroker.probe.api(world.app.hostUrl, world.app.apiKey, lookup)).toEqual({
      ok: true,
      broker: "angel",
      mode: "live",
    });
    const other = await angelBroker.probe.api(world.sim.httpUrl, world.app.apiKey, lookup);
    expect(other).toMatchObject({ ok: false, reason: "not_openalgo" });
    expect(await angelBroker.probe.ws("", world.app.apiKey, lookup)).toEqual({ ok: true });
  });

  it("credentials: a blank host URL means Angel One's own API", () => {
    const parsed = angelBroker.credentials.parse({ hostUrl: "", apiKey: "key1", apiSecret: "sec1", clientId: "a123" });
    expect(parsed).toEqual({
      hostUrl: "https://apiconnect.angelone.in",
      apiKey: "key1",
      apiSecret: "sec1",
      clientId: "A123",
      pin: "",
      totpSecret: "",
    });
  });
});
