/**
 * What trading tells people, end to end with real workers and the simulator over HTTP: a 50-account fill is one
 * message per channel with the count; a rejection carries the broker's reason; account outages and recoveries and the
 * kill switch are told; and a Bot API outage delays only notifications, never a run's dispatch or an exit.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { db } from "@/lib/db/client";
import { runOutcomeFacts } from "@/lib/db/queries/notifications";
import { fillsMessage, rejectionsMessage } from "./render";
import { checkAllAccounts } from "@/lib/services/accounts";
import { requestExit } from "@/lib/services/exits";
import { engageKillSwitch } from "@/lib/services/kill-switch";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { startFillsWorker, waitForIntents } from "@/lib/testing/fills-kit";
import { startBotApiServer, type BotApiServer } from "@/lib/testing/bot-api-server";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import {
  messagesOf,
  sendNow,
  setUpTelegram,
  startNotificationsWorker,
  testDeliveryConfig,
  waitForSettled,
} from "@/lib/testing/notify-kit";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { waitFor, waitUntil } from "@/lib/testing/wait";
import type { StrategyDefinition } from "@/lib/trading/strategy";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const MANY = instanceConfigs(50, "nf");
/** Too little capital for a short option: the simulator's RMS refuses it with its margin text. */
const POOR = instanceConfigs(2, "np").map((c) => ({ ...c, capital: "1000" }));
const FEW = instanceConfigs(2, "no");

let sim: RunningSimulator;
let bot: BotApiServer;
const started: { close(): Promise<void> }[] = [];
const start = <T extends { close(): Promise<void> }>(c: T) => (started.push(c), c);

beforeAll(async () => {
  sim = await startSim([...MANY, ...POOR, ...FEW]);
  bot = await startBotApiServer();
});
beforeEach(async () => {
  for (const c of started.splice(0).reverse()) await c.close();
  await resetState();
  bot.setHang(false);
  sim.broker.reset();
  for (const inst of [...MANY, ...POOR, ...FEW]) sim.broker.login(inst.id);
});
afterAll(async () => {
  for (const c of started.splice(0).reverse()) await c.close();
  await bot.close();
  await sim.close();
  await closeConnections();
});

/** A run's facts as Prisma's relation query reads them (the reference the one-statement read must equal). */
async function prismaFacts(runId: string, ownerId: string) {
  const run = await db().strategyRun.findUnique({
    where: { id: runId },
    select: {
      kind: true,
      strategy: { select: { name: true } },
      intents: {
        where: {
          account: { ownerId },
          OR: [{ filledQuantity: { gt: 0 } }, { state: { in: ["rejected", "rejected_late"] } }],
        },
        orderBy: [{ legIndex: "asc" }, { sliceIndex: "asc" }],
        select: {
          accountId: true,
          account: { select: { name: true } },
          legIndex: true,
          symbol: true,
          action: true,
          quantity: true,
          filledQuantity: true,
          averagePrice: true,
          state: true,
          reason: true,
        },
      },
    },
  });
  return (
    run && { ...run, intents: run.intents.map((i) => ({ ...i, averagePrice: i.averagePrice?.toString() ?? null })) }
  );
}

/** The one-statement facts equal Prisma's (prices compared as values), and so do the messages made of them. */
async function expectFactsAsPrisma(runId: string, ownerId: string) {
  const facts = await runOutcomeFacts(runId, ownerId);
  const price = (p: string | null) => (p === null ? null : new Decimal(p).toString());
  const reference = await prismaFacts(runId, ownerId);
  expect(
    facts && { ...facts, intents: facts.intents.map((i) => ({ ...i, averagePrice: price(i.averagePrice) })) },
  ).toEqual(reference);
  expect(facts!.intents.length).toBeGreaterThan(0);
  expect(fillsMessage(facts!)).toEqual(fillsMessage(reference!));
  expect(rejectionsMessage(facts!)).toEqual(rejectionsMessage(reference!));
}

/** One short call, one lot, at market. */
const shortCall: StrategyDefinition = {
  product: "NRML",
  sizing: { kind: "fixed" },
  marketCondition: "other_days",
  legs: [
    {
      underlying: "NIFTY",
      instrument: "options",
      expiry: "current_week",
      action: "SELL",
      optionType: "CE",
      strike: { kind: "OTM", n: 2 },
      lots: 1,
      orderType: { kind: "MARKET" },
    },
  ],
};

describe("what trading tells", () => {
  it("a run filled in 50 accounts is one message per channel, with the count", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, MANY);
    // A long window: the test sends once all 50 fills are folded in, whatever the machine's speed.
    const config = testDeliveryConfig(bot, null, 600_000);
    const { token } = await setUpTelegram(bot, trader, config, { preferences: { FILL: ["IN_APP", "TELEGRAM"] } });
    start(await startNotificationsWorker(config));
    start(await startDispatchWorker(FAST));
    start(await startFillsWorker());
    const { runId } = await startRun(trader.id, shortCall);
    const intents = await waitForIntents(runId, (i) => i.state === "filled", 120_000);
    expect(intents).toHaveLength(50);
    const qty = intents[0].quantity;
    const rows = await waitFor(
      "50 fills summed up on both channels",
      () => messagesOf(trader.id),
      // A run's fill events are interchangeable (the summary reads the run), so a burst folds a few times, not 50.
      (r) => r.length === 2 && r.every((m) => m.title.endsWith("50 accounts")),
      60_000,
    );
    for (const r of rows) {
      expect(r).toMatchObject({ kind: "FILL", status: "PENDING" });
      expect(r.title).toMatch(/^Filled: Strategy run — 50 accounts$/);
      expect(r.body).toMatch(
        new RegExp(`^NIFTY \\d+ CE \\d+ \\w+ SELL ${qty} each, avg ₹[\\d,.]+(–₹[\\d,.]+)? \\(50 accounts\\)$`),
      );
    }
    for (const r of rows) await sendNow(r.id);
    await waitForSettled(trader.id, "TELEGRAM", 1);
    await waitForSettled(trader.id, "IN_APP", 1);
    await expectFactsAsPrisma(runId, trader.id);
    expect(await runOutcomeFacts(runId, (await makeUser("TRADER")).id)).toMatchObject({ intents: [] });
    const sent = bot.messages().filter((m) => m.token === token);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain("50 accounts");
  });

  it("a rejection is told with the broker's reason, once per run", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, POOR);
    const config = testDeliveryConfig(bot, null, 600_000);
    start(await startNotificationsWorker(config));
    start(await startDispatchWorker(FAST));
    const { runId } = await startRun(trader.id, shortCall);
    await waitForRun(runId);
    const [row] = await waitFor(
      "both rejections folded",
      () => messagesOf(trader.id, "IN_APP"),
      (r) => r.length === 1 && r[0].title.includes("acct 001") && r[0].title.includes("acct 002"),
    );
    expect(row).toMatchObject({
      kind: "REJECTION",
      title: expect.stringMatching(/^Rejected: Strategy run — acct 001 np1, acct 002 np2$/),
    });
    await expectFactsAsPrisma(runId, trader.id);
    expect(row.body).toMatch(
      /SELL \d+: RMS:Margin Exceeds, Required margin [\d.]+, Available margin [\d.]+ — acct 001 np1, acct 002 np2$/,
    );
  });

  it("a Bot API that does not answer delays only notifications: a run is sent and an exit flattens meanwhile", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, FEW);
    const config = testDeliveryConfig(bot, null, 50);
    const { token } = await setUpTelegram(bot, trader, config, { preferences: { FILL: ["TELEGRAM"] } });
    bot.setHang(true);
    start(await startNotificationsWorker(config));
    start(await startDispatchWorker(FAST));
    start(await startFillsWorker());
    start(await startExitWorker());
    const hung = () => bot.calls.filter((c) => c.token === token && c.status === undefined);

    const t0 = Date.now();
    const { runId } = await startRun(trader.id, shortCall);
    await waitForIntents(runId, (i) => i.state === "filled");
    const runMs = Date.now() - t0;
    // The notifier is now stuck on the entry's fill message.
    await waitUntil(() => hung().length > 0, 20_000, "a Telegram call left hanging");

    const t1 = Date.now();
    const { exitId } = await requestExit(trader, { scope: "run", runId }, null);
    expect((await waitForExit(exitId, 60_000)).status).toBe("DONE");
    const exitMs = Date.now() - t1;

    expect(hung().length).toBeGreaterThan(0);
    expect((await messagesOf(trader.id, "TELEGRAM")).every((m) => m.status === "PENDING")).toBe(true);
    expect(bot.messages().filter((m) => m.token === token)).toHaveLength(0);
    console.info(`notifier hung: run filled in ${runMs} ms, exit flat in ${exitMs} ms`);
  });

  it("tells an account's outage (with its cause) and its recovery, and the kill switch", async () => {
    const trader = await makeUser("TRADER");
    const [acct] = await linkAccounts(sim, trader, FEW.slice(0, 1));
    start(await startNotificationsWorker(testDeliveryConfig(bot, null, 50)));
    sim.broker.revokeSession(FEW[0].id);
    // Three failed rounds mark an account FAILED (lib/services/accounts/health.ts).
    for (let i = 0; i < 3; i++) await checkAllAccounts(new Date());
    const [down] = await waitForSettled(trader.id, "IN_APP", 1);
    expect(down).toMatchObject({
      kind: "ACCOUNT",
      title: `${acct.name} disconnected (broker refused the key or session)`,
    });
    expect(down.body).toMatch(/^3 health checks failed in a row: /);
    expect(await db().alert.findFirst({ where: { kind: "account_down" } })).toMatchObject({ cause: "auth" });

    sim.broker.login(FEW[0].id);
    await checkAllAccounts(new Date());
    const rows = await waitForSettled(trader.id, "IN_APP", 2);
    expect(rows[1]).toMatchObject({ kind: "ACCOUNT", title: `${acct.name} reconnected` });

    await engageKillSwitch(trader, { scope: "mine", reason: "testing" }, null);
    const all = await waitForSettled(trader.id, "IN_APP", 3);
    expect(all[2]).toMatchObject({ kind: "KILL_SWITCH", title: "Kill switch engaged" });
    expect(all[2].body).toContain("(testing)");
  });
});
