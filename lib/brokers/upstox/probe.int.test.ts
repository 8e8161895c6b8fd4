/**
 * Upstox's connection test and host policy against the simulator: the API verdict without a session, a host that is
 * not Upstox, and a host the operator's resolver refuses (nothing sent; a placement throws, so it is safe to retry).
 */
import { randomUUID } from "node:crypto";
import type { LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { loginViaSimulator } from "@/lib/testing/upstox-sim-login";
import { createUpstoxAdapter } from "./adapter";
import { upstoxProbe } from "./probe";

const systemLookup: LookupFunction = (host, options, callback) =>
  import("node:dns").then((dns) => dns.lookup(host, options, callback));
// Node resolves no IP literal through a lookup function: the refused host below is a name.
const refusingLookup: LookupFunction = (_host, _options, callback) =>
  callback(Object.assign(new Error("blocked by host policy"), { code: "EPRIVATEHOST" }), "", 0);

let sim: RunningSimulator;
const byName = () => sim.httpUrl.replace("127.0.0.1", "localhost");
beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "upstox-probe",
    seed: 2,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: "prb", apiKey: "prb-key-0001", capital: "1000000" }],
  });
});
afterAll(async () => {
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

describe("upstox probe and host policy", () => {
  it("the API answers as Upstox without a session; another server does not", async () => {
    expect(await upstoxProbe.api(`${sim.httpUrl}/upstox`, "prb-key-0001", systemLookup)).toEqual({
      ok: true,
      broker: "upstox",
      mode: "live",
    });
    // The OpenAlgo front-end at the root is a server, but not Upstox.
    expect(await upstoxProbe.api(sim.httpUrl, "prb-key-0001", systemLookup)).toMatchObject({
      ok: false,
      reason: "not_openalgo",
    });
    expect(await upstoxProbe.api(`${byName()}/upstox`, "k", refusingLookup)).toMatchObject({
      ok: false,
      reason: "unreachable",
    });
    expect(await upstoxProbe.ws("", "", systemLookup)).toEqual({ ok: true });
  });

  it("a host the resolver refuses: nothing reaches the simulator and a placement throws", async () => {
    const now = () => sim.market.clock.now();
    const app = { hostUrl: `${sim.httpUrl}/upstox`, apiKey: "prb-key-0001", apiSecret: "sim-secret-prb" };
    const session = await loginViaSimulator(app, now);
    const gate = new RateGovernor({ keyPrefix: `md:test-upstox-probe:${randomUUID()}` });
    const open = createUpstoxAdapter({ accountId: "prb", ...app, session }, { gate, now });
    const fut = sim.market.instruments().find((i) => i.instrumenttype === "FUT" && i.underlying === "NIFTY")!;
    // Today's master is loaded through an allowed resolver first, so the placement below gets as far as the SDK.
    expect(await open.symbolInfo(fut.symbol, "NFO")).not.toBeNull();
    // Same simulator, reached by name (the master cache is per host URL: load it for this one too).
    const named = { ...app, hostUrl: `${byName()}/upstox` };
    const viaName = createUpstoxAdapter({ accountId: "prb", ...named, session }, { gate, now });
    expect(await viaName.symbolInfo(fut.symbol, "NFO")).not.toBeNull();
    const blocked = createUpstoxAdapter(
      { accountId: "prb", ...named, session },
      { gate, now, transport: { lookup: refusingLookup } },
    );
    const before = sim.broker.receivedOrders("prb").length;
    const error = await blocked
      .placeOrder({
        symbol: fut.symbol,
        exchange: "NFO",
        action: "BUY",
        quantity: fut.lotsize,
        priceType: "MARKET",
        product: "NRML",
        strategy: "blocked",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect((error as BrokerUnavailableError).reason).toBe("unreachable");
    expect((error as Error).message).not.toContain(session.accessToken);
    await expect(blocked.ping()).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(sim.broker.receivedOrders("prb").length).toBe(before);
    await Promise.all([open.close(), viaName.close(), blocked.close()]);
  });
});
