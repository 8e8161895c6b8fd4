import Decimal from "decimal.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { openStreamCount } from "@/lib/http/user-event-stream";
import { fanout } from "@/lib/realtime/redis-fanout";
import { publishUserEvent, USER_LOG_MAX } from "@/lib/realtime/user-events";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { waitUntil } from "@/lib/testing/wait";
import { createAccount, invalidateBooks } from "@/lib/services/accounts";
import { adapterFor } from "@/lib/services/broker-access";
import { applyIntentChanges } from "@/lib/services/dispatch";
import { publishUi, setStale, writeQuote, type FeedKind, type LiveQuote } from "@/lib/services/market-data";
import { engageKillSwitch, rearmKillSwitch } from "@/lib/services/kill-switch";
import { GET as streamRoute } from "@/app/api/stream/route";
import { liveQuote } from "@/lib/testing/live-quote";

// Read once by lib/env.ts on first use, which happens after this hoisted block.
vi.hoisted(() => {
  process.env.SSE_MAX_STREAMS_PER_USER = "3";
  process.env.SSE_HEARTBEAT_MS = "100";
  process.env.SSE_MAX_QUEUE_BYTES = "16384";
});

let sim: RunningSimulator;
const [A] = instanceConfigs(1, "live");

beforeAll(async () => {
  sim = await startSim([A]);
});
beforeEach(resetState);
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

interface Frame {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

interface OpenStream {
  abort: AbortController;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  text: string;
  ended: boolean;
}

function frames(s: OpenStream): Frame[] {
  return s.text
    .split("\n\n")
    .filter((block) => block.includes("data: "))
    .map((block) => {
      const lines = block.split("\n");
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
      return { id: field("id"), event: field("event") ?? "message", data: JSON.parse(field("data")!) };
    });
}

function streamRequest(cookie: string, lastEventId?: string) {
  const abort = new AbortController();
  const headers: Record<string, string> = { cookie };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  return { abort, req: new Request("http://127.0.0.1:3000/api/stream", { headers, signal: abort.signal }) };
}

/** Opens the stream and waits for the frame written once it is live (after its first positions snapshot). */
async function openStream(cookie: string, lastEventId?: string): Promise<OpenStream> {
  const { abort, req } = streamRequest(cookie, lastEventId);
  const res = await streamRoute(req);
  expect(res.status).toBe(200);
  const s: OpenStream = { abort, reader: res.body!.getReader(), text: "", ended: false };
  await readUntil(s, (t) => t.includes("retry: 2000"));
  return s;
}

/** Reads until `done(frames)` holds or the stream ends; returns whether it ended. */
async function readUntil(s: OpenStream, done: (text: string, f: Frame[]) => boolean): Promise<boolean> {
  while (!done(s.text, frames(s))) {
    const chunk = await s.reader.read();
    if (chunk.done) return (s.ended = true);
    s.text += new TextDecoder().decode(chunk.value);
  }
  return false;
}

async function close(s: OpenStream) {
  s.abort.abort();
  await s.reader.cancel().catch(() => undefined);
}

const quote = (symbol: string, ltp: string, receivedAt = new Date()): LiveQuote =>
  liveQuote({ exchange: "NSE", symbol, ltp, receivedAt: receivedAt.toISOString() });

type Trader = Awaited<ReturnType<typeof makeUser>>;

async function simAccount(trader: Trader) {
  return createAccount(
    trader,
    {
      name: "Live",
      kind: "OPENALGO",
      hostUrl: hostOf(sim, A.id),
      wsUrl: sim.wsUrl,
      apiKey: A.apiKey,
      isPrimary: true,
      active: true,
      tags: [],
      lotMultiplier: 1,
      maxLotsPerLeg: null,
      orderRatePerSec: 10,
      otherRatePerSec: 10,
    },
    "ip",
  );
}

/** A ticket run with one intent of `quantity` SBIN; `filled` records it filled at `price` (else accepted, unfilled). */
async function ticketIntent(trader: Trader, accountId: string, quantity: number, filled: { price: string } | null) {
  const runId = crypto.randomUUID();
  const at = new Date();
  await db().strategyRun.create({
    data: { id: runId, ownerId: trader.id, kind: "TICKET", idempotencyKey: `k-${runId}`, triggeredAt: at, plan: {} },
  });
  return db().orderIntent.create({
    data: {
      id: `${runId}-0`,
      runId,
      accountId,
      legIndex: 0,
      sliceIndex: 0,
      phase: 1,
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      product: "CNC",
      priceType: "MARKET",
      quantity,
      state: filled ? "filled" : "accepted",
      sentAt: at,
      brokerOrderId: `ord-${runId}`,
      filledQuantity: filled ? quantity : 0,
      averagePrice: filled ? new Decimal(filled.price) : null,
    },
  });
}

/** Makes the simulated broker really hold `quantity` SBIN, so the ledger's row is open (not closed outside). */
async function holdAtBroker(trader: Trader, accountId: string, quantity: number) {
  const [secret] = await listAccountSecrets({ ownerId: trader.id });
  const placed = await adapterFor(secret).placeOrder({
    symbol: "SBIN",
    exchange: "NSE",
    action: "BUY",
    quantity,
    priceType: "MARKET",
    product: "CNC",
    strategy: "outside",
  });
  expect(placed.kind).toBe("accepted");
  await invalidateBooks([accountId]);
}

const accountEvent = (accountId: string, status: string) => ({
  type: "account" as const,
  accountId,
  change: "status" as const,
  status,
  at: new Date().toISOString(),
});

describe("the user stream", () => {
  it("values open positions at live quotes: a quote published toward browsers re-prices the row and the subtotals", async () => {
    const trader = await makeUser("TRADER");
    const account = await simAccount(trader);
    await holdAtBroker(trader, account.id, 4);
    await ticketIntent(trader, account.id, 4, { price: "800" });
    const s = await openStream(await sessionCookie(trader));

    const snapshot = frames(s).find((f) => f.event === "positions")!;
    const rows = snapshot.data.rows as { key: string; feed: FeedKind; netQty: number; closedOutside: boolean }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ symbol: "SBIN", netQty: 4, avgPrice: "800", closedOutside: false });
    const { key, feed } = rows[0];

    // The feed's path: store the quote, then publish it toward browsers.
    const q = quote("SBIN", "812.5");
    await writeQuote(feed, q);
    await publishUi(feed, q);
    await readUntil(s, (_, f) => f.some((x) => x.event === "prices"));
    const delta = frames(s).find((f) => f.event === "prices")!.data as {
      rows: { key: string; ltp: string; unrealisedPnl: string; priceSource: string }[];
      totals: { total: { unrealised: string }; accounts: { id: string; unrealised: string }[] };
    };
    expect(delta.rows).toEqual([{ key, ltp: "812.5", unrealisedPnl: "50", priceSource: "feed", stale: false }]);
    expect(delta.totals.total.unrealised).toBe("50");
    expect(delta.totals.accounts).toEqual([expect.objectContaining({ id: account.id, unrealised: "50" })]);

    // A quote of the other feed kind never prices this row.
    const other: FeedKind = feed === "real" ? "simulated" : "real";
    await publishUi(other, quote("SBIN", "900"));
    const q2 = quote("SBIN", "797");
    await writeQuote(feed, q2);
    await publishUi(feed, q2);
    await readUntil(s, (_, f) => f.filter((x) => x.event === "prices").length >= 2);
    const prices = frames(s).filter((f) => f.event === "prices");
    expect(prices).toHaveLength(2);
    expect((prices[1].data.rows as { unrealisedPnl: string }[])[0].unrealisedPnl).toBe("-12");

    // The watchdog's stale flag on the contract reaches the stream (and is cleared the same way).
    const flag = {
      exchange: "NSE",
      symbol: "SBIN",
      since: new Date().toISOString(),
      lastTickAt: null,
      reason: "silent",
    };
    await setStale(feed, "NSE:SBIN", flag);
    await setStale(feed, "NSE:SBIN", null);
    await readUntil(s, (_, f) => f.filter((x) => x.event === "stale").length >= 2);
    expect(
      frames(s)
        .filter((f) => f.event === "stale")
        .map((f) => [f.data.contract, f.data.stale]),
    ).toEqual([
      ["NSE:SBIN", true],
      ["NSE:SBIN", false],
    ]);
    await close(s);

    // A new stream starts from the stored quote: the snapshot is already live-priced.
    const again = await openStream(await sessionCookie(trader));
    const [row] = frames(again).find((f) => f.event === "positions")!.data.rows as Record<string, unknown>[];
    expect(row).toMatchObject({ ltp: "797", unrealisedPnl: "-12", priceSource: "feed" });
    await close(again);
    expect(fanout().listenerCount()).toBe(0);
  });

  it("a fill shows as the intent event (with an id) and a positions snapshot holding the new row", async () => {
    const trader = await makeUser("TRADER");
    const account = await simAccount(trader);
    const s = await openStream(await sessionCookie(trader));
    expect(frames(s).find((f) => f.event === "positions")!.data.rows).toEqual([]);

    const intent = await ticketIntent(trader, account.id, 2, null);
    await applyIntentChanges([{ row: intent, events: [{ type: "fill", at: Date.now() }], averagePrice: "101.25" }]);

    await readUntil(s, (_, f) => f.filter((x) => x.event === "positions").length >= 2);
    const fill = frames(s).find((f) => f.event === "intent")!;
    expect(fill.id).toMatch(/^\d+$/);
    expect(fill.data).toMatchObject({ ownerId: trader.id, intentId: intent.id, state: "filled", filledQuantity: 2 });
    const rows = frames(s).filter((f) => f.event === "positions")[1].data.rows;
    expect(rows).toEqual([
      expect.objectContaining({ accountId: account.id, symbol: "SBIN", netQty: 2, avgPrice: "101.25" }),
    ]);
    await close(s);
  });

  it("resumes after Last-Event-ID with exactly the missed events, then live ones; past the log it asks to resync", async () => {
    const trader = await makeUser("TRADER");
    const stranger = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const first = await openStream(cookie);
    await publishUserEvent(trader.id, accountEvent("a1", "CONNECTED"));
    await readUntil(first, (_, f) => f.some((x) => x.event === "account"));
    const lastId = frames(first).find((f) => f.event === "account")!.id!;
    await close(first);

    // Missed while away: two of the trader's, one of someone else's.
    await publishUserEvent(trader.id, accountEvent("a2", "DEGRADED"));
    await publishUserEvent(stranger.id, accountEvent("x", "FAILED"));
    await publishUserEvent(trader.id, accountEvent("a3", "FAILED"));

    const resumed = await openStream(cookie, lastId);
    await publishUserEvent(trader.id, accountEvent("a4", "CONNECTED"));
    await readUntil(resumed, (_, f) => f.some((x) => x.data.accountId === "a4"));
    const got = frames(resumed).filter((f) => f.event === "account");
    expect(got.map((f) => f.data.accountId)).toEqual(["a2", "a3", "a4"]);
    const ids = got.map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(Number(lastId));
    await close(resumed);

    // The log keeps USER_LOG_MAX events per owner: beyond that the stream cannot replay and says so.
    for (let i = 0; i < USER_LOG_MAX + 5; i++) await publishUserEvent(trader.id, accountEvent(`b${i}`, "CONNECTED"));
    const late = await openStream(cookie, lastId);
    const resync = frames(late).find((f) => f.event === "resync")!;
    expect(resync).toBeDefined();
    expect(frames(late).some((f) => f.event === "account")).toBe(false);
    await close(late);
  });

  it("drops a client that stops reading without delaying another stream, which receives every event", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const slow = await openStream(cookie);
    const fast = await openStream(cookie);
    expect(openStreamCount(trader.id)).toBe(2);

    let stop = false;
    const reading = readUntil(fast, () => stop);
    const published: number[] = [];
    // Publish until the slow stream (never read again) is dropped, then a few more after.
    for (let i = 0; openStreamCount(trader.id) === 2; i++) {
      published.push(await publishUserEvent(trader.id, accountEvent(`acc-${i}-${"x".repeat(200)}`, "CONNECTED")));
      if (i > 5_000) throw new Error("the slow stream was never dropped");
    }
    for (let i = 0; i < 5; i++)
      published.push(await publishUserEvent(trader.id, accountEvent(`after-${i}`, "CONNECTED")));
    await waitUntil(
      () => frames(fast).filter((f) => f.event === "account").length >= published.length,
      20_000,
      "the fast stream receives every event",
    );
    stop = true;
    await publishUserEvent(trader.id, accountEvent("wake", "CONNECTED"));
    await reading;
    const got = frames(fast)
      .filter((f) => f.event === "account" && f.data.accountId !== "wake")
      .map((f) => Number(f.id));
    expect(got).toEqual(published);
    await expect(slow.reader.read()).rejects.toThrow("client too slow");
    expect(openStreamCount(trader.id)).toBe(1);
    await close(fast);
    expect(openStreamCount(trader.id)).toBe(0);
  });

  it("follows exactly the owners the user may read: a viewer its traders, an admin everyone; the global switch reaches all", async () => {
    const trader = await makeUser("TRADER");
    const stranger = await makeUser("TRADER");
    const viewer = await makeUser("VIEWER");
    const adminUser = await makeUser("ADMIN");
    await db().viewerTrader.create({ data: { viewerId: viewer.id, traderId: trader.id } });
    const [v, a, t] = [
      await openStream(await sessionCookie(viewer)),
      await openStream(await sessionCookie(adminUser)),
      await openStream(await sessionCookie(trader)),
    ];
    await publishUserEvent(stranger.id, accountEvent("stranger-acc", "FAILED"));
    await publishUserEvent(trader.id, accountEvent("trader-acc", "FAILED"));
    await publishUserEvent(null, { type: "kill-switch", engaged: true, ownerId: null, at: new Date().toISOString() });
    const seen = async (s: OpenStream) => {
      await readUntil(s, (_, f) => f.some((x) => x.event === "kill-switch"));
      return frames(s)
        .filter((f) => f.id !== null)
        .map((f) => f.data.accountId ?? f.event);
    };
    expect(await seen(v)).toEqual(["trader-acc", "kill-switch"]);
    expect(await seen(a)).toEqual(["stranger-acc", "trader-acc", "kill-switch"]);
    expect(await seen(t)).toEqual(["trader-acc", "kill-switch"]);
    for (const s of [v, a, t]) await close(s);
  });

  it("kill-switch engage and re-arm reach the owner's stream as logged events", async () => {
    const trader = await makeUser("TRADER");
    const adminUser = await makeUser("ADMIN");
    const s = await openStream(await sessionCookie(trader));
    await engageKillSwitch(trader, { scope: "mine", reason: "test" }, "ip");
    await rearmKillSwitch(adminUser, { scope: "owner", ownerId: trader.id }, "ip");
    await readUntil(s, (_, f) => f.filter((x) => x.event === "kill-switch").length >= 2);
    const got = frames(s).filter((f) => f.event === "kill-switch");
    expect(got.map((f) => [f.data.engaged, f.data.ownerId])).toEqual([
      [true, trader.id],
      [false, trader.id],
    ]);
    expect(Number(got[1].id)).toBeGreaterThan(Number(got[0].id));
    await close(s);
  });

  it("ends with an end event once the user is deactivated", async () => {
    const trader = await makeUser("TRADER");
    const s = await openStream(await sessionCookie(trader));
    await db().user.update({ where: { id: trader.id }, data: { active: false } });
    expect(await readUntil(s, () => false)).toBe(true);
    expect(frames(s).at(-1)).toMatchObject({ event: "end", data: { reason: "session-ended" } });
    expect(openStreamCount(trader.id)).toBe(0);
  });

  it("answers 429 beyond the per-user cap", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const open = [await openStream(cookie), await openStream(cookie), await openStream(cookie)];
    const refused = await streamRoute(streamRequest(cookie).req);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    for (const s of open) await close(s);
  });

  it("answers 400 naming the field for a malformed resume point", async () => {
    const trader = await makeUser("TRADER");
    const res = await streamRoute(
      new Request("http://127.0.0.1:3000/api/stream?lastEventId=abc", {
        headers: { cookie: await sessionCookie(trader) },
      }),
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("lastEventId");
  });
});
