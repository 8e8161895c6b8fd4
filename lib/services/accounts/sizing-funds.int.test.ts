import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { redis } from "@/lib/redis";
import { AppError } from "@/lib/errors";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { adapterFor } from "@/lib/services/broker-access";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import {
  FUNDS_REFRESH_AGE_MS,
  FUNDS_WARM_EVERY_MS,
  invalidateBooks,
  SIZING_FUNDS_MAX_AGE_MS,
  sizingFunds,
  warmSizingFunds,
} from "@/lib/services/accounts";
import { engageKillSwitch, rearmKillSwitch } from "@/lib/services/kill-switch";

const INSTANCES = instanceConfigs(3, "sf").map((c, i) => ({ ...c, capital: ["1000000", "2000000", "3000000"][i] }));
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(async () => {
  await resetState();
  for (const inst of INSTANCES) sim.broker.setFaults(inst.id, { http500Rate: 0 });
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const FUNDS_KEY = (id: string) => `md:book:${id}:funds`;

/** Three linked accounts; a live strategy trades the first by id, an archived one the third. */
async function setup() {
  const trader = await makeUser("TRADER");
  const [a, b, c] = await linkAccounts(sim, trader, INSTANCES);
  const strategy = (accountIds: string[], archived: boolean) =>
    db().strategy.create({
      data: { ownerId: trader.id, name: `s ${archived}`, definition: {}, accountIds, accountTags: [], archived },
    });
  await strategy([a.id], false);
  await strategy([c.id], true);
  return { a, b, c, trader };
}

const sized = async (ids: string[]) => {
  const accounts = await Promise.all(ids.map(async (id) => (await loadAccountSecret(id))!));
  const answers = await sizingFunds(accounts.map((a) => ({ id: a.id, adapter: () => adapterFor(a) })));
  return Promise.all(
    answers.map((p) =>
      p.then(
        (f) => f.availableMargin.toString(),
        (e: unknown) => e,
      ),
    ),
  );
};

describe("funds for sizing", () => {
  it("are kept warm only for accounts a live strategy trades", async () => {
    const { a, b, c } = await setup();
    expect(await warmSizingFunds()).toBe(1);
    const [warm, cold, archived] = await redis().mget(FUNDS_KEY(a.id), FUNDS_KEY(b.id), FUNDS_KEY(c.id));
    expect(JSON.parse(warm!)).toMatchObject({ ok: true, data: { availableMargin: "1000000" } });
    expect([cold, archived]).toEqual([null, null]);
  });

  it("are asked again when a trade dropped them or they near the age limit, and not while they are fresh", async () => {
    const { a } = await setup();
    expect(await warmSizingFunds()).toBe(1);
    expect(await warmSizingFunds()).toBe(0);
    await invalidateBooks([a.id]);
    expect(await warmSizingFunds()).toBe(1);
    expect(await warmSizingFunds(32, Date.now() + FUNDS_REFRESH_AGE_MS)).toBe(1);
    expect(FUNDS_REFRESH_AGE_MS + FUNDS_WARM_EVERY_MS).toBeLessThan(SIZING_FUNDS_MAX_AGE_MS);
  });

  it("are not kept warm while a kill switch covers the owner (nothing can be sized), and again once re-armed", async () => {
    const { a, trader } = await setup();
    await engageKillSwitch(trader, { scope: "mine", reason: "warm-up test" }, "127.0.0.1");
    expect(await warmSizingFunds()).toBe(0);
    expect(await redis().get(FUNDS_KEY(a.id))).toBeNull();
    const admin = await makeUser("ADMIN");
    await rearmKillSwitch(admin, { scope: "owner", ownerId: trader.id }, "127.0.0.1");
    expect(await warmSizingFunds()).toBe(1);
  });

  it("come from the warm cache while fresh, from the broker once older than the limit, and never from a cached failure", async () => {
    const { a } = await setup();
    await warmSizingFunds();
    // The broker now fails every call: a fresh cached answer is still used (no call is made).
    sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 1 });
    expect(await sized([a.id])).toEqual(["1000000"]);

    // The same answer, older than the limit: sizing asks the broker, and its failure is the account's reason.
    const cached = JSON.parse((await redis().get(FUNDS_KEY(a.id)))!);
    cached.fetchedAt = new Date(Date.now() - SIZING_FUNDS_MAX_AGE_MS - 1_000).toISOString();
    await redis().set(FUNDS_KEY(a.id), JSON.stringify(cached), "PX", 60_000);
    const [stale] = await sized([a.id]);
    expect(stale).toBeInstanceOf(AppError);

    // That failure is now cached for the books page; sizing still asks again and sizes once the broker answers.
    sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 0 });
    expect(JSON.parse((await redis().get(FUNDS_KEY(a.id)))!)).toMatchObject({ ok: false });
    expect(await sized([a.id])).toEqual(["1000000"]);
  });

  it("are dropped when the account trades, and a miss asks only the accounts that miss", async () => {
    const { a, b } = await setup();
    await warmSizingFunds();
    await invalidateBooks([a.id]);
    expect(await redis().get(FUNDS_KEY(a.id))).toBeNull();
    // b was never warmed, a was dropped: both are asked now, and the answers are stored for the next plan.
    expect(await sized([a.id, b.id])).toEqual(["1000000", "2000000"]);
    sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 1 });
    sim.broker.setFaults(INSTANCES[1].id, { http500Rate: 1 });
    expect(await sized([a.id, b.id])).toEqual(["1000000", "2000000"]);
  });

  it("an answer to a call already under way when the account trades is never used afterwards, nor joined", async () => {
    const { a } = await setup();
    const account = (await loadAccountSecret(a.id))!;
    const real = adapterFor(account);
    let calls = 0;
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The real adapter, whose first funds call is held after it started (before the broker is asked).
    const held = Object.assign(Object.create(real) as typeof real, {
      funds: async () => {
        calls += 1;
        if (calls === 1) {
          started();
          await gate;
        }
        return real.funds();
      },
    });
    const first = (await sizingFunds([{ id: a.id, adapter: () => held }]))[0];
    await inFlight;
    // The account trades while that call is under way.
    await invalidateBooks([a.id]);
    // A plan now asks again: it does not join the older call.
    const second = (await sizingFunds([{ id: a.id, adapter: () => held }]))[0];
    expect(calls).toBe(2);
    expect((await second).availableMargin.toString()).toBe("1000000");
    // The older call answers last, and its answer is what is stored now: under the generation before the trade.
    release();
    expect((await first).availableMargin.toString()).toBe("1000000");
    expect(JSON.parse((await redis().get(FUNDS_KEY(a.id)))!)).toMatchObject({ ok: true, gen: 0 });
    // It is never taken for a plan: with the broker failing now, the plan gets the broker's error, not those funds.
    sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 1 });
    const [third] = await sized([a.id]);
    expect(third).toBeInstanceOf(AppError);
  });
});
