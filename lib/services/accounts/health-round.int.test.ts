import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { checkAllAccounts, FAILURES_TO_FAIL } from "./health";

// Many accounts changing state in one round: each change is a transaction, far more than the pool has connections.
const INSTANCES = instanceConfigs(40, "hr");
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(async () => {
  await resetState();
  for (const inst of INSTANCES) sim.broker.login(inst.id);
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const statuses = async () =>
  (await db().tradingAccount.findMany({ select: { status: true } })).map((a) => a.status).sort();
const openDownAlerts = () => db().alert.count({ where: { kind: "account_down", resolvedAt: null } });

describe("a health round where every account changes state at once", () => {
  it("records every change (connected, failed with an alert each, recovered with each alert resolved)", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, INSTANCES);
    await db().tradingAccount.updateMany({ data: { status: "UNKNOWN" } });

    expect(await checkAllAccounts(new Date())).toMatchObject({ checked: 40, failed: 0 });
    expect(await statuses()).toEqual(Array(40).fill("CONNECTED"));

    for (const inst of INSTANCES) sim.broker.revokeSession(inst.id);
    for (let i = 0; i < FAILURES_TO_FAIL; i++) await checkAllAccounts(new Date());
    expect(await statuses()).toEqual(Array(40).fill("FAILED"));
    expect(await openDownAlerts()).toBe(40);

    for (const inst of INSTANCES) sim.broker.login(inst.id);
    expect(await checkAllAccounts(new Date())).toMatchObject({ checked: 40, failed: 0 });
    expect(await statuses()).toEqual(Array(40).fill("CONNECTED"));
    expect(await openDownAlerts()).toBe(0);
  });
});
