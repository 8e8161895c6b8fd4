/**
 * The Dhan connector never lets the app secret, the API key or an access token out: not in a log line (at trace level)
 * and not in the text of any error it throws, across a login, refused credentials, a refused token, failures, a
 * lost placement, and both streams refused and dropped.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { redirectLog } from "@/lib/log";
import { disconnectRedis } from "@/lib/redis";
import { type DhanSim, startDhanSim } from "@/lib/testing/dhan-kit";
import { createDhanAdapter } from "./adapter";
import { dhanLogin } from "./login";

const lines: string[] = [];
let d: DhanSim;
beforeAll(async () => {
  redirectLog(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString("utf8"));
        done();
      },
    }),
    "trace",
  );
  d = await startDhanSim("dsecret");
});
afterAll(async () => {
  await d?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

const noop = () => {};

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "";
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

describe("dhan secrets", () => {
  it("appear in no log line and no error text", async () => {
    const { session } = await d.login();
    const errors: string[] = [];
    errors.push(
      await message(dhanLogin.start({ ...d.app, apiSecret: "sim-secret-bad-0001" }, { redirectUrl: "x", state: "s" })),
    );
    errors.push(
      await message(
        dhanLogin.exchange(
          { ...d.app, apiSecret: "sim-secret-bad-0001" },
          new URLSearchParams({ tokenId: "f".repeat(32) }),
          "x",
        ),
      ),
    );
    const config = { accountId: "dhan-secret", hostUrl: d.app.hostUrl, apiKey: d.app.apiKey, clientId: "dsecret" };
    const good = createDhanAdapter(
      { ...config, session },
      { gate: d.gate, now: d.now, timeouts: { responseMs: 2_000 } },
    );
    const badToken = `${session.accessToken.slice(0, 10)}-revoked`;
    const bad = createDhanAdapter(
      { ...config, session: { ...session, accessToken: badToken } },
      { gate: d.gate, now: d.now },
    );
    const order = {
      symbol: "SBIN",
      exchange: "NSE" as const,
      action: "BUY" as const,
      quantity: 1,
      priceType: "MARKET" as const,
      product: "MIS" as const,
      strategy: "secret",
    };
    errors.push(await message(bad.funds()), await message(bad.placeOrder(order)));
    d.sim.broker.setFaults("dsecret", { http500Rate: 1 });
    errors.push(await message(good.positions()));
    d.sim.broker.setFaults("dsecret", { http500Rate: 0, lostResponseRate: 1 });
    expect((await good.placeOrder(order)).kind).toBe("unknown");
    d.sim.broker.setFaults("dsecret", { lostResponseRate: 0 });
    errors.push(await message(good.cancelOrder("999999", "secret")));
    // The streams: a refused token on each, and live streams dropped by the server.
    errors.push(await message(bad.openMarketFeed!({ onTick() {}, onClose() {} })));
    errors.push(await message(bad.subscribeOrderUpdates!(noop, noop)));
    const dropped: Error[] = [];
    const feed = await good.openMarketFeed!({ onTick() {}, onClose: (e) => dropped.push(e) });
    const orders = await good.subscribeOrderUpdates!(noop, (e) => dropped.push(e));
    const drop = await fetch(`${d.sim.httpUrl}/_sim/ws/drop`, {
      method: "POST",
      headers: { Authorization: "Bearer dhan-admin", "Content-Type": "application/json" },
      body: "{}",
    });
    expect(drop.status).toBe(200);
    await vi.waitFor(() => expect(dropped).toHaveLength(2));
    errors.push(...dropped.map((e) => `${e.name}: ${e.message}`));
    await feed.close();
    await orders.close();
    await good.close();
    await bad.close();

    // Every call above failed with a text of its own, and one placement went through (logged).
    expect(errors.filter((e) => e !== "")).toHaveLength(errors.length);
    expect(lines.some((l) => l.includes('"order placement"'))).toBe(true);
    for (const secret of [d.app.apiSecret, "sim-secret-bad-0001", d.app.apiKey, session.accessToken, badToken]) {
      for (const e of errors) expect(e).not.toContain(secret);
      for (const l of lines) expect(l).not.toContain(secret);
    }
  });
});
