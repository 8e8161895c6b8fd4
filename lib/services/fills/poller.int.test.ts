import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import {
  claimDueFillPolls,
  claimedFillAccounts,
  finishFillPoll,
  fillSchedule,
  scheduledFillAccounts,
  scheduleFillPolls,
  unscheduleFillPolls,
} from "@/lib/queues/fills";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { FaultConfig } from "@/lib/simulator/types";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts, startDispatchWorker, startRun, waitForRun, ironCondor } from "@/lib/testing/dispatch-kit";
import { startCountingRelay, startFillsWorker, waitForIntents } from "@/lib/testing/fills-kit";
import { waitFor } from "@/lib/testing/wait";
import { pollFillsNow } from "./streams";
import { startFillPoller, type FillPoller } from "./poller";
import { closeOrderStreams, sweepFillTracking } from ".";

/** Sandbox rows: an open order needs nothing but the order book. */
const INST = instanceConfigs(3, "fpl").map((c) => ({ ...c, mode: "analyze" as const, numbers: "number" as const }));
const NO_FAULTS: Partial<FaultConfig> = { lateRejectRate: 0, lateRejectMs: 0 };
/** Every order accepted and held open (its rejection due in 10 minutes): 4 unsettled intents per account. */
const HELD_OPEN: Partial<FaultConfig> = { lateRejectRate: 1, lateRejectMs: 600_000 };
const LEASE = 30_000;
const NEVER = 3_600_000;

let sim: RunningSimulator;
let relay: Awaited<ReturnType<typeof startCountingRelay>>;
let dispatch: Awaited<ReturnType<typeof startDispatchWorker>>;
const pollers: FillPoller[] = [];

beforeAll(async () => {
  sim = await startSim(INST);
  relay = await startCountingRelay(sim.httpUrl);
});
beforeEach(async () => {
  await resetState();
  dispatch = await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 });
});
afterEach(async () => {
  relay.release();
  for (const p of pollers.splice(0)) await p.stop();
  // Polls open order streams; an update on one would put an account of this test into the next one's schedule.
  await closeOrderStreams();
  await dispatch.close();
  for (const inst of INST) sim.broker.setFaults(inst.id, NO_FAULTS);
  sim.broker.reset();
});
afterAll(async () => {
  await relay.close();
  await sim.close();
  await closeConnections();
});

/** Accounts (through the counting relay) whose 4 orders each are open at the broker, all in the schedule. */
async function openAccounts(n: number) {
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts({ ...sim, httpUrl: relay.url }, trader, INST.slice(0, n));
  const { runId } = await startRun(trader.id, ironCondor(), () => {
    for (const inst of INST.slice(0, n)) sim.broker.setFaults(inst.id, HELD_OPEN);
  });
  await waitForRun(runId);
  expect((await scheduledFillAccounts()).sort()).toEqual(accounts.map((a) => a.id).sort());
  return { accounts, runId };
}

/** A poller driven by the test: no timer, its own clock. */
function manualPoller(clock: () => number, extra: Parameters<typeof startFillPoller>[0] = {}) {
  const polls: string[] = [];
  const p = startFillPoller({ manual: true, clock, leaseMs: LEASE, ...extra, onPoll: (id) => polls.push(id) });
  pollers.push(p);
  return { p, polls };
}

describe("fill poller", () => {
  it("two pollers never sync one account at once: the second claims nothing while the first's sync runs", async () => {
    const { accounts } = await openAccounts(1);
    const books = () => relay.count(INST[0].id, "orderbook");
    const before = books();
    relay.hold(INST[0].id, "orderbook");
    const now = Date.now();
    const a = manualPoller(() => now);
    const b = manualPoller(() => now);
    expect(await a.p.tick()).toBe(1);
    await waitFor(
      "the first poller's book read held",
      async () => relay.held(INST[0].id, "orderbook"),
      (n) => n === 1,
    );
    expect(await claimedFillAccounts(now)).toEqual([accounts[0].id]);
    expect(await b.p.tick()).toBe(0);
    expect(await a.p.tick()).toBe(0);
    relay.release();
    await a.p.settled();
    expect(books() - before).toBe(1);
    expect(a.polls).toEqual([accounts[0].id]);
    expect(b.polls).toEqual([]);
    // Still unsettled: due again a second later, and unclaimed.
    expect((await fillSchedule()).get(accounts[0].id)).toBe(now + 1_000);
    expect(await claimedFillAccounts(now)).toEqual([]);
  });

  it("a dead poller's accounts are taken over once its lease ends; its late finish changes nothing", async () => {
    const { accounts } = await openAccounts(2);
    const now = Date.now();
    // A worker claims both accounts and dies before syncing them.
    const dead = await claimDueFillPolls(now, 10, LEASE);
    expect(dead.map((c) => c.accountId).sort()).toEqual(accounts.map((a) => a.id).sort());
    let t = now + LEASE - 1;
    const survivor = manualPoller(() => t);
    expect(await survivor.p.tick()).toBe(0);
    t = now + LEASE;
    expect(await survivor.p.tick()).toBe(2);
    await survivor.p.settled();
    expect(survivor.polls.sort()).toEqual(accounts.map((a) => a.id).sort());
    // The dead claim is gone: finishing it (a worker that was only slow) neither removes nor moves the account.
    expect(await finishFillPoll(dead[0], null)).toBe("lost");
    expect((await fillSchedule()).get(dead[0].accountId)).toBe(t + 1_000);
  });

  it("an account with nothing unsettled leaves the schedule; one asked for during its sync stays due", async () => {
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts({ ...sim, httpUrl: relay.url }, trader, INST.slice(0, 1));
    const { runId } = await startRun(trader.id);
    await waitForRun(runId);
    await waitFor(
      "orders filled at the broker",
      async () => sim.broker.receivedOrders(INST[0].id),
      (o) => o.length === 4 && o.every((x) => x.status === "complete"),
    );
    const clock = { now: Date.now() };
    const { p } = manualPoller(() => clock.now);
    // Asked for again while its sync (which settles everything) runs: it stays due.
    relay.hold(INST[0].id, "orderbook");
    expect(await p.tick()).toBe(1);
    await waitFor(
      "book read held",
      async () => relay.held(INST[0].id, "orderbook"),
      (n) => n === 1,
    );
    await scheduleFillPolls(account.id, clock.now);
    // A tick while the sync runs sees the account due but held: it parks it until the claim's end, claiming nothing.
    expect(await p.tick()).toBe(0);
    relay.release();
    await p.settled();
    await waitForIntents(runId, (i) => i.state === "filled");
    // Due at once, not when the lease would have ended: the sync may have read the book before what was asked for.
    expect(Object.fromEntries(await fillSchedule())).toEqual({ [account.id]: clock.now });
    // The next poll finds nothing unsettled: the account leaves the schedule.
    expect(await p.tick()).toBe(1);
    await p.settled();
    expect(await scheduledFillAccounts()).toEqual([]);
    expect(await p.tick()).toBe(0);
  });

  it("one account's slow broker holds only its own slot, and only until its timeout", async () => {
    const { accounts } = await openAccounts(2);
    const now = Date.now();
    // The first account is due first and its broker never answers until released.
    await scheduleFillPolls(accounts[0].id, now - 10_000);
    relay.hold(INST[0].id, "orderbook");
    const { p, polls } = manualPoller(() => now, { concurrency: 1, timeoutMs: 1 });
    expect(await p.tick()).toBe(1);
    // The slot is freed when the timeout passes: the other account is polled while the first still waits.
    await waitFor(
      "the other account polled",
      async () => {
        await p.tick();
        return polls;
      },
      (x) => x.includes(accounts[1].id),
    );
    expect(polls).not.toContain(accounts[0].id);
    expect(await claimedFillAccounts(now)).toContain(accounts[0].id);
    relay.release();
    await p.settled();
    expect(polls.sort()).toEqual(accounts.map((a) => a.id).sort());
  });

  it("an order update polls at once, without waiting for a tick", async () => {
    const { accounts } = await openAccounts(1);
    const fills = await startFillsWorker({ tickMs: NEVER });
    try {
      // The start's first look polls what is due; after that no tick comes within the test.
      await waitFor(
        "first poll",
        async () => fills.polls.get(accounts[0].id) ?? 0,
        (n) => n === 1,
      );
      await fills.poller.settled();
      await pollFillsNow(accounts[0].id);
      await waitFor(
        "immediate poll",
        async () => fills.immediatePolls.get(accounts[0].id) ?? 0,
        (n) => n === 1,
      );
      expect(fills.polls.get(accounts[0].id)).toBe(2);
      expect(fills.errors).toEqual([]);
    } finally {
      await fills.close();
    }
  });

  it("the sweep puts accounts with unsettled intents back and takes out the others", async () => {
    const { accounts, runId } = await openAccounts(2);
    await db().orderIntent.updateMany({
      where: { runId, accountId: accounts[1].id },
      data: { state: "cancelled" },
    });
    // Lost from the schedule (a restart, a lost hook).
    for (const a of accounts) await unscheduleFillPolls(a.id);
    expect(await sweepFillTracking()).toEqual({ scheduled: 1, removed: 0 });
    expect(await scheduledFillAccounts()).toEqual([accounts[0].id]);
    await scheduleFillPolls(accounts[1].id);
    expect(await sweepFillTracking()).toEqual({ scheduled: 0, removed: 1 });
    expect(await scheduledFillAccounts()).toEqual([accounts[0].id]);
  });
});
