import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { checkAllAccounts, FAILURES_TO_FAIL } from "./health";
import { createAccount } from "@/lib/services/accounts";
import { openAlerts } from "@/lib/services/alerts";
import { previewTicket, ticketRequestSchema } from "@/lib/services/tickets";
import { startCountingRelay } from "@/lib/testing/fills-kit";

let sim: RunningSimulator;
let relay: Awaited<ReturnType<typeof startCountingRelay>>;
// A real primary (a broker's name), a simulated account that sorts first by name, and a second real account.
const [P, S, R, T] = instanceConfigs(4, "hm");
P.brokerName = "zerodha";
R.brokerName = "dhan";

beforeAll(async () => {
  sim = await startSim([P, S, R, T]);
  relay = await startCountingRelay(sim.httpUrl);
});
beforeEach(async () => {
  await resetState();
  for (const inst of [P, S, R, T]) sim.broker.login(inst.id);
});
afterAll(async () => {
  await relay.close();
  await sim.close();
  await closeConnections();
});

type Trader = Awaited<ReturnType<typeof makeUser>>;
const link = (trader: Trader, inst: typeof P, name: string) =>
  createAccount(
    trader,
    {
      name,
      kind: "OPENALGO",
      hostUrl: `${relay.url}/i/${inst.id}`,
      wsUrl: sim.wsUrl,
      apiKey: inst.apiKey,
      isPrimary: false,
      active: true,
      tags: [],
      lotMultiplier: 1,
      maxLotsPerLeg: null,
      orderRatePerSec: 10,
      otherRatePerSec: 10,
    },
    "ip",
  );
const ticket = (accountIds: string[]) =>
  ticketRequestSchema.parse({
    symbol: "SBIN",
    exchange: "NSE",
    action: "BUY",
    lots: 1,
    product: "CNC",
    bandPercent: "1",
    accountIds,
  });
const quoteCalls = () => [P, S, R, T].map((i) => relay.count(i.id, "quotes"));

async function failPrimary() {
  sim.broker.revokeSession(P.id);
  for (let i = 0; i < FAILURES_TO_FAIL; i++) await checkAllAccounts(new Date());
}

describe("account health monitor and market-data failover", () => {
  it("a failed real primary hands prices to the next real account (never a simulated one); on recovery the primary is used again and the notice resolves", async () => {
    const trader = await makeUser("TRADER");
    const primary = await link(trader, P, "C primary");
    await link(trader, S, "A simulated");
    const second = await link(trader, R, "B second");
    expect(primary.isPrimary).toBe(true);

    sim.broker.revokeSession(P.id);
    for (let i = 1; i < FAILURES_TO_FAIL; i++) {
      await checkAllAccounts(new Date());
      expect(await db().tradingAccount.findUniqueOrThrow({ where: { id: primary.id } })).toMatchObject({
        status: "DEGRADED",
        consecutiveFailures: i,
        isPrimary: true,
      });
      expect(await openAlerts(trader)).toEqual([]);
    }
    expect(await checkAllAccounts(new Date())).toEqual({ checked: 3, failed: 1, failovers: 1 });
    const accounts = await db().tradingAccount.findMany({ orderBy: { name: "asc" } });
    expect(accounts.map((a) => [a.name, a.status, a.isPrimary])).toEqual([
      ["A simulated", "CONNECTED", false],
      ["B second", "CONNECTED", false],
      ["C primary", "FAILED", true],
    ]);
    const alerts = await openAlerts(trader);
    expect(alerts.map((a) => [a.kind, a.severity, a.accountName]).sort()).toEqual([
      ["account_down", "CRITICAL", "C primary"],
      ["primary_failover", "WARNING", "B second"],
    ]);
    // The outage's title names its cause: the broker refused the session (the fix: log in again), not a network fault.
    expect(alerts.find((a) => a.kind === "account_down")?.title).toBe(
      "Account down: broker refused the key or session",
    );
    expect(alerts.find((a) => a.kind === "primary_failover")?.message).toBe(
      "Market data now comes from B second: the primary account C primary failed.",
    );

    // A ticket for the real account is priced by the real stand-in; the simulated account is never asked.
    const before = quoteCalls();
    const preview = await previewTicket(trader, ticket([second.id]));
    expect(preview.marketData).toEqual({
      accountId: second.id,
      accountName: "B second",
      kind: "real",
      fallbackReason: "the market-data account C primary is failing its health checks",
    });
    expect(quoteCalls().map((n, i) => n - before[i])).toEqual([0, 0, 1, 0]);

    // Further failing rounds neither duplicate the alerts nor raise another failover.
    expect((await checkAllAccounts(new Date())).failovers).toBe(0);
    expect((await openAlerts(trader)).map((a) => a.kind).sort()).toEqual(["account_down", "primary_failover"]);

    sim.broker.login(P.id);
    expect(await checkAllAccounts(new Date())).toEqual({ checked: 3, failed: 0, failovers: 0 });
    expect(await db().tradingAccount.findUniqueOrThrow({ where: { id: primary.id } })).toMatchObject({
      status: "CONNECTED",
      consecutiveFailures: 0,
      lastError: null,
      isPrimary: true,
    });
    expect(await openAlerts(trader)).toEqual([]);
    expect(await db().auditLog.count({ where: { action: "account.recovered", entityId: primary.id } })).toBe(1);
    expect(await db().auditLog.count({ where: { action: "account.primary_restored", entityId: primary.id } })).toBe(1);
    const back = quoteCalls();
    expect((await previewTicket(trader, ticket([second.id]))).marketData).toEqual({
      accountId: primary.id,
      accountName: "C primary",
      kind: "real",
      fallbackReason: null,
    });
    expect(quoteCalls().map((n, i) => n - back[i])).toEqual([1, 0, 0, 0]);
  });

  it("a preview while the primary is down falls back at once (before any health check) and names the cause", async () => {
    const trader = await makeUser("TRADER");
    const primary = await link(trader, P, "C primary");
    const second = await link(trader, R, "B second");
    sim.broker.revokeSession(P.id);
    const preview = await previewTicket(trader, ticket([primary.id, second.id]));
    expect(preview.marketData.accountName).toBe("B second");
    expect(preview.marketData.fallbackReason).toMatch(/^the market-data account C primary did not answer \(.+\)$/);
    expect(await db().tradingAccount.findUniqueOrThrow({ where: { id: primary.id } })).toMatchObject({
      status: "CONNECTED",
      isPrimary: true,
    });
  });

  it("with only a simulated account left, real accounts get no prices: a clear refusal naming the market-data account", async () => {
    const trader = await makeUser("TRADER");
    const primary = await link(trader, P, "C primary");
    const simulated = await link(trader, S, "A simulated");
    await failPrimary();
    expect((await openAlerts(trader)).find((a) => a.kind === "primary_failover")).toMatchObject({
      severity: "CRITICAL",
      message:
        "No market data: the primary account C primary failed and no other healthy real account can supply prices.",
    });
    const before = quoteCalls();
    await expect(previewTicket(trader, ticket([primary.id]))).rejects.toThrow(
      "No market-data source for real accounts: the market-data account C primary is failing",
    );
    expect(quoteCalls()).toEqual(before);
    // The simulated account itself is still priced by a simulated source; mixing kinds in one order is refused.
    expect((await previewTicket(trader, ticket([simulated.id]))).marketData.accountName).toBe("A simulated");
    await expect(previewTicket(trader, ticket([primary.id, simulated.id]))).rejects.toThrow(
      /Real and simulated accounts cannot be priced together/,
    );
  });
});
