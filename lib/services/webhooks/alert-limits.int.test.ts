/**
 * The webhook's limits over a real socket: the per-address and per-webhook rate limits (429 with Retry-After), and the
 * entry window (entries refused 409 naming the window while an exit in the same minute is accepted).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { ironCondor } from "@/lib/testing/dispatch-kit";
import { makeStrategy } from "@/lib/testing/exits-kit";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import {
  condorWithWebhook,
  makeWebhook,
  postAlert,
  startHookServer,
  type WebhookOptions,
} from "@/lib/testing/webhook-kit";

// Read once by lib/env.ts on first use, which happens after this hoisted block.
vi.hoisted(() => {
  process.env.WEBHOOK_IP_RATE_PER_MIN = "3";
  process.env.WEBHOOK_RATE_PER_MIN = "5";
});

const INSTANCES = instanceConfigs(1, "al");
const world = useIntegrationWorld(INSTANCES);
let server: Awaited<ReturnType<typeof startHookServer>>;
beforeAll(async () => {
  server = await startHookServer();
});
afterAll(() => server.close());

async function setup(opts: WebhookOptions = {}) {
  const s = await condorWithWebhook(world, INSTANCES, opts);
  return { ...s, url: server.url(s.token) };
}

const body = (id: string, action = "ENTRY") => JSON.stringify({ action, id });
function expectThrottled(res: Awaited<ReturnType<typeof postAlert>>, what: RegExp) {
  expect(res.status).toBe(429);
  const retry = Number(res.headers.get("retry-after"));
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(60);
  expect((res.json.error as { message: string }).message).toMatch(what);
}

describe("rate limits", () => {
  it("per sender address: the 4th alert in a minute from one address is 429, other addresses still pass", async () => {
    const { url } = await setup();
    for (const n of [1, 2, 3])
      expect((await postAlert(url, body(`a${n}`), { ip: "52.89.214.238" })).status).not.toBe(429);
    expectThrottled(await postAlert(url, body("a4"), { ip: "52.89.214.238" }), /from this address/);
    expect((await postAlert(url, body("b1"), { ip: "34.212.75.30" })).status).not.toBe(429);
    // Throttled alerts are counted, not logged: a flood must not fill the alert log.
    expect(await db().signal.count()).toBe(4);
  });

  it("per webhook: the 6th alert in a minute is 429 whatever the address; another webhook still passes", async () => {
    const { url, user } = await setup();
    const ips = ["52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7", "10.0.0.1"];
    for (const [n, ip] of ips.entries()) expect((await postAlert(url, body(`w${n}`), { ip })).status).not.toBe(429);
    expectThrottled(await postAlert(url, body("w6"), { ip: "10.0.0.2" }), /for this webhook/);
    const otherStrategy = await makeStrategy(user, ironCondor());
    const other = await makeWebhook({ id: otherStrategy.id, ownerId: user.id });
    expect((await postAlert(server.url(other.token), body("o1"), { ip: "10.0.0.3" })).status).toBe(202);
  });
});

/** IST wall-clock `HH:MM`, `minutes` from now. */
function istHhMm(minutes: number): string {
  const t = new Date(Date.now() + minutes * 60_000 + 330 * 60_000);
  return `${String(t.getUTCHours()).padStart(2, "0")}:${String(t.getUTCMinutes()).padStart(2, "0")}`;
}

describe("entry window", () => {
  it("an entry outside the window is 409 naming the window; an exit in the same minute is accepted", async () => {
    const { url, hookId } = await setup({ pyramiding: true, maxEntries: 3 });
    // No signal worker: the first entry stays in flight, so the strategy counts as long for the next alerts.
    expect((await postAlert(url, body("in"), { ip: "10.1.0.1" })).status).toBe(202);
    const [start, end] = [istHhMm(120), istHhMm(180)];
    await db().strategyWebhook.update({ where: { id: hookId }, data: { entryStart: start, entryEnd: end } });
    const refused = await postAlert(url, body("out"), { ip: "10.1.0.1" });
    expect(refused.status).toBe(409);
    expect((refused.json.error as { message: string }).message).toContain(`${start}–${end} IST`);
    expect(refused.json.signalId).toEqual(expect.any(String));
    const exit = await postAlert(url, body("x", "EXIT"), { ip: "10.1.0.2" });
    expect(exit.json).toMatchObject({ status: "accepted", action: "EXIT", from: "LONG", to: "FLAT" });
  });
});
