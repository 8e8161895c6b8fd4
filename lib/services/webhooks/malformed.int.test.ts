import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { ironCondor, linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeStrategy } from "@/lib/testing/exits-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { malformedAlerts } from "@/lib/testing/malformed-alerts";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { makeWebhook, postAlert, startHookServer } from "@/lib/testing/webhook-kit";

// Hundreds of alerts in a minute from one address: lift the rate limits this file is not about (read on first use).
process.env.WEBHOOK_RATE_PER_MIN = "100000";
process.env.WEBHOOK_IP_RATE_PER_MIN = "100000";

const INSTANCES = instanceConfigs(1, "mf");
const world = useIntegrationWorld(INSTANCES);
let server: Awaited<ReturnType<typeof startHookServer>>;
beforeAll(async () => {
  server = await startHookServer();
});
afterAll(() => server.close());

describe("malformed alerts", () => {
  it("answers every one of 500+ malformed bodies with its expected 4xx: no 5xx, nothing accepted, no order", async () => {
    const user = await makeUser("TRADER");
    await linkAccounts(world.sim, user, INSTANCES);
    const strategy = await makeStrategy(user, ironCondor());
    const { hookId, token } = await makeWebhook({ id: strategy.id, ownerId: user.id }, { mode: "LONG" });
    const cases = malformedAlerts(520, 7);
    expect(cases.length).toBeGreaterThanOrEqual(500);
    const wrong: string[] = [];
    for (const c of cases) {
      await db().strategyWebhook.update({ where: { id: hookId }, data: { mode: c.mode ?? "LONG" } });
      const res = await postAlert(server.url(token), c.body, { contentType: c.contentType });
      if (res.status !== c.expect) wrong.push(`${c.name}: ${res.status} (expected ${c.expect})`);
    }
    expect(wrong).toEqual([]);
    expect(await db().signal.count({ where: { verdict: "ACCEPTED" } })).toBe(0);
    expect(await db().signal.count({ where: { status: { gte: 500 } } })).toBe(0);
    expect(await db().orderIntent.count()).toBe(0);
    expect(world.sim.broker.receivedOrders(INSTANCES[0].id)).toHaveLength(0);
  }, 120_000);
});
