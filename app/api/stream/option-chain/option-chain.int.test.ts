import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { redis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { waitFor } from "@/lib/testing/wait";
import { fanout } from "@/lib/realtime/redis-fanout";
import { openStreamCount } from "@/lib/http/user-event-stream";
import { LIVE, publishUi, setStale, wantedContracts, writeQuote, type LiveQuote } from "@/lib/services/market-data";
import type { ChainEvent, ChainSnapshot } from "@/lib/services/option-chain";
import { GET as streamRoute } from "@/app/api/stream/option-chain/route";
import { GET as snapshotRoute } from "@/app/api/option-chain/route";
import { GET as expiriesRoute } from "@/app/api/option-chain/expiries/route";
import { liveQuote } from "@/lib/testing/live-quote";

// Read once by lib/env.ts on first use, which happens after this hoisted block.
vi.hoisted(() => {
  process.env.SSE_HEARTBEAT_MS = "50";
});

const INSTANCES = instanceConfigs(1, "oc");
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(resetState);
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

interface OpenStream {
  abort: AbortController;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  text: string;
}

const url = (q: string) => `http://127.0.0.1:3000/api/stream/option-chain?${q}`;

async function setup() {
  const user = await makeUser("TRADER");
  await linkAccounts(sim, user, INSTANCES);
  const cookie = await sessionCookie(user);
  const res = await expiriesRoute(
    new Request("http://127.0.0.1:3000/api/option-chain/expiries?underlying=NIFTY", { headers: { cookie } }),
  );
  expect(res.status).toBe(200);
  const { expiries } = (await res.json()) as { expiries: string[] };
  expect(expiries.length).toBeGreaterThan(0);
  return { user, cookie, expiry: expiries[0] };
}

function events(s: OpenStream): ChainEvent[] {
  return s.text
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)) as ChainEvent);
}

async function readUntil(s: OpenStream, done: (e: ChainEvent[]) => boolean): Promise<boolean> {
  while (!done(events(s))) {
    const chunk = await s.reader.read();
    if (chunk.done) return true;
    s.text += new TextDecoder().decode(chunk.value);
  }
  return false;
}

async function open(cookie: string, q: string): Promise<OpenStream> {
  const abort = new AbortController();
  const res = await streamRoute(new Request(url(q), { headers: { cookie }, signal: abort.signal }));
  expect(res.status).toBe(200);
  const s = { abort, reader: res.body!.getReader(), text: "" };
  await readUntil(s, (e) => e.some((x) => x.type === "snapshot"));
  return s;
}

async function close(s: OpenStream) {
  s.abort.abort();
  await s.reader.cancel().catch(() => undefined);
}

const snapshots = (s: OpenStream) =>
  events(s).flatMap((e) => (e.type === "snapshot" ? [e.chain] : ([] as ChainSnapshot[])));

const quote = (exchange: string, symbol: string, ltp: string, over: Partial<LiveQuote> = {}): LiveQuote =>
  liveQuote({ exchange, symbol, ltp, accountId: "test", ...over });

const chainHolders = async () =>
  new Set(
    [...(await wantedContracts("simulated")).values()].flatMap((w) => w.holders.filter((h) => h.startsWith("chain:"))),
  );

describe("GET /api/stream/option-chain", () => {
  it("401 without a session; 400 naming the field on a bad query", async () => {
    expect((await streamRoute(new Request(url("underlying=NIFTY&expiry=2026-12-08")))).status).toBe(401);
    const { cookie } = await setup();
    for (const [q, field] of [
      ["expiry=2026-12-08", "underlying"],
      ["underlying=NIFTY&expiry=08DEC26", "expiry"],
      ["underlying=NIFTY&expiry=2026-12-08&strikes=500", "strikes"],
      ["underlying=NIFTY&expiry=2026-12-08&strikes=abc", "strikes"],
    ] as const) {
      const res = await streamRoute(new Request(url(q), { headers: { cookie } }));
      expect(res.status, q).toBe(400);
      const body = (await res.json()) as { error: { fields: Record<string, string[]> } };
      expect(Object.keys(body.error.fields), q).toContain(field);
    }
    const unknown = await streamRoute(new Request(url("underlying=NOPE&expiry=2026-12-08"), { headers: { cookie } }));
    expect(unknown.status).toBe(400);
    expect(Object.keys(((await unknown.json()) as { error: { fields: object } }).error.fields)).toEqual(["underlying"]);
  });

  it("leases the chain's contracts, relays a published quote as a delta, and releases the lease on disconnect", async () => {
    const { user, cookie, expiry } = await setup();
    const s = await open(cookie, `underlying=nifty&expiry=${expiry}&strikes=3`);
    const [chain] = snapshots(s);
    expect(chain.kind).toBe("simulated");
    expect(chain.rows).toHaveLength(7);
    expect(chain.rows[3].strike).toBe(chain.atm);

    const wanted = await wantedContracts("simulated");
    const contractKeys = chain.rows.flatMap((r) => [r.ce!.key, r.pe!.key]);
    expect(contractKeys).toHaveLength(14);
    for (const k of contractKeys) {
      expect(wanted.get(k)?.mode, k).toBe(3);
      expect(wanted.get(k)?.holders[0]).toMatch(/^chain:/);
    }
    expect(wanted.get(`NSE_INDEX:NIFTY`)?.mode).toBe(2);
    expect(wanted.size).toBe(15);
    expect(await wantedContracts("real")).toEqual(new Map());

    // The feed's contract: a quote published toward browsers reaches the view as a delta; bid/ask stay as sent.
    const ce = chain.rows[2].ce!;
    await publishUi("simulated", quote("NFO", ce.symbol, "123.45", { bid: "123.4", bidQty: 650, oi: 4200 }));
    // A real-feed quote of the same contract never reaches a simulated view.
    await publishUi("real", quote("NFO", ce.symbol, "999"));
    await readUntil(s, (e) => e.some((x) => x.type === "quote"));
    const deltas = events(s).filter((e) => e.type === "quote");
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({
      key: ce.key,
      quote: { ltp: "123.45", bid: "123.4", bidQty: 650, ask: null, askQty: null, oi: 4200 },
    });

    // A stale flag of a shown contract is relayed; one of a contract outside the view is not.
    await setStale("simulated", "NFO:NOT-SHOWN", {
      exchange: "NFO",
      symbol: "NOT-SHOWN",
      since: "x",
      lastTickAt: null,
      reason: "silent",
    });
    await setStale("simulated", ce.key, {
      exchange: "NFO",
      symbol: ce.symbol,
      since: "x",
      lastTickAt: null,
      reason: "silent",
    });
    await readUntil(s, (e) => e.some((x) => x.type === "stale"));
    expect(events(s).filter((e) => e.type === "stale")).toEqual([{ type: "stale", key: ce.key, stale: true }]);

    await close(s);
    await waitFor("lease released", chainHolders, (h) => h.size === 0);
    expect(await redis().smembers(LIVE.holders)).toEqual([]);
    expect(fanout().listenerCount()).toBe(0);
    expect(openStreamCount(user.id)).toBe(0);
  });

  it("renews its lease and registers it again if it expired", async () => {
    const { cookie, expiry } = await setup();
    const s = await open(cookie, `underlying=NIFTY&expiry=${expiry}&strikes=2`);
    const [holder] = [...(await chainHolders())];
    expect(await redis().pttl(LIVE.lease(holder))).toBeGreaterThan(40_000);
    await redis().del(LIVE.lease(holder));
    const wanted = await waitFor(
      "lease registered again",
      () => wantedContracts("simulated"),
      (w) => w.size === 11,
    );
    expect([...wanted.values()].every((w) => w.holders.length === 1 && w.holders[0] === holder)).toBe(true);
    await close(s);
  });

  it("moves the strikes (and the lease) with the live ATM", async () => {
    const { cookie, expiry } = await setup();
    const s = await open(cookie, `underlying=NIFTY&expiry=${expiry}&strikes=2`);
    const [first] = snapshots(s);
    const step = Number(first.rows[1].strike) - Number(first.rows[0].strike);
    const target = (Number(first.atm) + 5 * step).toString();
    const spot = quote("NSE_INDEX", "NIFTY", (Number(target) + step / 10).toFixed(2));
    await writeQuote("simulated", spot);
    await publishUi("simulated", spot);
    await readUntil(s, () => snapshots(s).length === 2);
    const moved = snapshots(s)[1];
    expect(moved.atm).toBe(target);
    expect(moved.rows.map((r) => r.strike)).toEqual([-2, -1, 0, 1, 2].map((d) => String(Number(target) + d * step)));
    expect(moved.spot.ltp).toBe(spot.ltp);
    const wanted = await wantedContracts("simulated");
    const keys = moved.rows.flatMap((r) => [r.ce!.key, r.pe!.key]);
    expect([...wanted.keys()].sort()).toEqual([...keys, "NSE_INDEX:NIFTY"].sort());
    await close(s);
  });
});

describe("GET /api/option-chain", () => {
  it("answers the view around the ATM with the live quote where the store has one", async () => {
    const { cookie, expiry } = await setup();
    const first = await snapshotRoute(
      new Request(`http://127.0.0.1:3000/api/option-chain?underlying=NIFTY&expiry=${expiry}&strikes=1`, {
        headers: { cookie },
      }),
    );
    expect(first.status).toBe(200);
    const { chain } = (await first.json()) as { chain: ChainSnapshot };
    expect(chain.rows).toHaveLength(3);
    const pe = chain.rows[1].pe!;
    expect(pe.source).toBe("chain");
    await writeQuote("simulated", quote("NFO", pe.symbol, "77.7", { oi: 100 }));
    const again = await snapshotRoute(
      new Request(`http://127.0.0.1:3000/api/option-chain?underlying=NIFTY&expiry=${expiry}&strikes=1`, {
        headers: { cookie },
      }),
    );
    const live = ((await again.json()) as { chain: ChainSnapshot }).chain.rows[1].pe!;
    expect(live).toMatchObject({ ltp: "77.7", source: "feed", bid: null, oi: 100 });
    // The day's first-seen OI stays the baseline for OI change.
    expect(live.oiBase).toBe(pe.oi);
  });
});
