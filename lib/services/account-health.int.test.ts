import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { disconnectRedis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/simulator";
import { makeUser, resetState } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator";
import { checkAllAccounts, FAILURES_TO_FAIL } from "@/lib/services/account-health";
import { createAccount } from "@/lib/services/accounts";
import { openAlerts } from "@/lib/services/alerts";

let sim: RunningSimulator;
const [P, S1, S2] = instanceConfigs(3, "hm");

beforeAll(async () => {
  sim = await startSim([P, S1, S2]);
});
beforeEach(resetState);
afterAll(async () => {
  await sim.close();
  await disconnectRedis();
  await disconnectDb();
});

describe("account health monitor", () => {
  it("three failed pings on the primary mark it failed, raise an alert and fail over to the next healthy account; recovery clears it", async () => {
    const trader = await makeUser("TRADER");
    const link = (inst: typeof P, name: string) => createAccount(trader, { name, kind: "OPENALGO", hostUrl: hostOf(sim, inst.id), wsUrl: sim.wsUrl, apiKey: inst.apiKey, isPrimary: false, active: true, tags: [], lotMultiplier: 1, maxLotsPerLeg: null, orderRatePerSec: 10, otherRatePerSec: 10 }, "ip");
    const primary = await link(P, "A primary");
    await link(S2, "C spare");
    await link(S1, "B second");
    expect(primary.isPrimary).toBe(true);

    sim.broker.revokeSession(P.id);
    for (let i = 1; i < FAILURES_TO_FAIL; i++) {
      await checkAllAccounts(new Date());
      expect(await db().tradingAccount.findUniqueOrThrow({ where: { id: primary.id } })).toMatchObject({ status: "DEGRADED", consecutiveFailures: i, isPrimary: true });
      expect(await openAlerts(trader)).toEqual([]);
    }
    const round = await checkAllAccounts(new Date());
    expect(round).toEqual({ checked: 3, failed: 1, failovers: 1 });

    const accounts = await db().tradingAccount.findMany({ orderBy: { name: "asc" } });
    expect(accounts.map((a) => [a.name, a.status, a.isPrimary])).toEqual([
      ["A primary", "FAILED", false],
      ["B second", "CONNECTED", true],
      ["C spare", "CONNECTED", false],
    ]);
    expect(accounts[0].lastError).toMatch(/session|apikey|key/i);
    const alerts = await openAlerts(trader);
    expect(alerts.map((a) => [a.kind, a.severity, a.accountName])).toEqual(
      expect.arrayContaining([
        ["account_down", "CRITICAL", "A primary"],
        ["primary_failover", "WARNING", "B second"],
      ]),
    );
    expect(alerts.find((a) => a.kind === "primary_failover")?.message).toBe("Market data now comes from B second: the primary account A primary failed.");

    // Further failing rounds neither duplicate the alert nor move the primary again.
    await checkAllAccounts(new Date());
    expect((await openAlerts(trader)).filter((a) => a.kind === "account_down")).toHaveLength(1);

    sim.broker.login(P.id);
    await checkAllAccounts(new Date());
    const recovered = await db().tradingAccount.findUniqueOrThrow({ where: { id: primary.id } });
    expect(recovered).toMatchObject({ status: "CONNECTED", consecutiveFailures: 0, lastError: null, isPrimary: false });
    expect((await openAlerts(trader)).map((a) => a.kind)).toEqual(["primary_failover"]);
    expect(await db().auditLog.count({ where: { action: "account.recovered", entityId: primary.id } })).toBe(1);
  });
});
