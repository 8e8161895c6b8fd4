/**
 * A logged-in Zerodha account as the upstream feed: the account is linked and logged in through MirrorDesk's own
 * routes and the simulator's Kite login page, then the worker's feed streams its kind's interest over the account's
 * Kite ticker (real simulator over WebSocket, real Redis, real account service). The kind is whatever `feedKindOf`
 * says of the account, so the test holds however simulated direct accounts are classified.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import {
  DIRECT_BROKERS,
  directInstance,
  linkDirect,
  loginThroughRoutes,
  startDirectSim,
} from "@/lib/testing/broker-login-kit";
import { testFeed, TickLog } from "@/lib/testing/feed-kit";
import { closeConnections, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { waitFor, waitUntil } from "@/lib/testing/wait";
import {
  feedKindOf,
  readFeedStatus,
  readQuotes,
  registerInterest,
  type FeedKind,
  type FeedManager,
} from "@/lib/services/market-data";

const ZERODHA = DIRECT_BROKERS.find((b) => b.kind === "zerodha")!;
const INSTANCE = directInstance(ZERODHA, "feed");
const WAIT = 15_000;

let sim: RunningSimulator;
const running: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  sim = await startDirectSim([INSTANCE]);
});
beforeEach(resetState);
afterEach(async () => {
  for (const x of running.splice(0).reverse()) await x.close();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

/** A Zerodha account linked and logged in by its trader; its feed kind as the feed's source sees it. */
async function loggedInZerodha(): Promise<{ id: string; kind: FeedKind }> {
  const cookie = await sessionCookie(await makeUser("TRADER"));
  const { account } = await linkDirect(cookie, sim, ZERODHA, INSTANCE);
  const { finished } = await loginThroughRoutes(cookie, account.id, ZERODHA);
  expect(new URL(finished.headers.get("location")!).searchParams.get("loggedIn")).toBe(account.id);
  const row = await db().tradingAccount.findUniqueOrThrow({ where: { id: account.id } });
  expect(row.sessionEnc).toEqual(expect.any(String));
  return { id: account.id, kind: feedKindOf(row) };
}

describe("a Zerodha account as the market-data upstream", () => {
  it("streams the kind's interest over the account's Kite ticker into the quote store", async () => {
    const account = await loggedInZerodha();
    const ticks = await TickLog.listen(account.kind);
    running.push(ticks);
    const feed: FeedManager = testFeed();
    running.push({ close: () => feed.stop() });
    await feed.start();
    await registerInterest(
      "positions:zerodha-test",
      account.kind,
      [
        { exchange: "NSE", symbol: "SBIN", mode: 2 },
        { exchange: "NSE_INDEX", symbol: "NIFTY", mode: 1 },
      ],
      60_000,
    );
    const status = await waitFor(
      "the feed live on the Zerodha account",
      () => readFeedStatus(account.kind),
      (s) => s?.state === "live" && s.subscribed === 2,
      WAIT,
    );
    expect(status).toMatchObject({ accountId: account.id, reason: null });
    expect(status?.host).toBe(new URL(sim.httpUrl).host);

    const before = ticks.count("NSE:SBIN");
    sim.market.tick();
    await waitUntil(() => ticks.count("NSE:SBIN") > before, WAIT, "a tick of SBIN after the market moved");
    const truth = sim.market.quote("SBIN", "NSE")!;
    await waitUntil(
      async () => Number((await readQuotes(account.kind, ["NSE:SBIN"])).get("NSE:SBIN")?.ltp) === truth.ltp,
      WAIT,
      "the stored SBIN quote at the simulator's price",
    );
    const q = (await readQuotes(account.kind, ["NSE:SBIN", "NSE_INDEX:NIFTY"])).get("NSE:SBIN")!;
    expect(q).toMatchObject({ exchange: "NSE", symbol: "SBIN", source: "feed", accountId: account.id });
    expect(q.volume).toBe(truth.volume);
    expect(Number(q.prevClose)).toBe(truth.prevClose);
    expect(q.exchangeTs).toBe(new Date(Math.floor(truth.ts / 1000) * 1000).toISOString());
  });
});
