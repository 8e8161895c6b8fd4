/**
 * One open option-chain view: an interest lease for the contracts it shows (renewed while the view is open,
 * released when it closes), their browser channels and the kind's stale events through the process's shared Redis
 * subscriber, and a new window (and lease) whenever the live ATM moves to another strike
 * (docs/market-data.md "Option chain").
 */
import { randomUUID } from "node:crypto";
import Decimal from "decimal.js";
import { log } from "@/lib/log";
import { PreparedFrame } from "@/lib/realtime/sse";
import { fanout } from "@/lib/realtime/redis-fanout";
import {
  LIVE,
  liveQuoteSchema,
  registerInterest,
  releaseInterest,
  renewInterest,
  staleEventSchema,
  type LiveQuote,
} from "@/lib/services/market-data";
import {
  atmFor,
  buildSnapshot,
  contractKeys,
  interestItems,
  liveSpot,
  spotKey,
  type ChainSnapshot,
  type ChainState,
} from "./snapshot";

/**
 * The figures of a live quote the chain shows: the depth ladder, OHLC and the serving account stay on the server, so
 * a frame to each of hundreds of views is a fraction of the size.
 */
export type ChainQuote = Pick<
  LiveQuote,
  "ltp" | "prevClose" | "bid" | "bidQty" | "ask" | "askQty" | "volume" | "oi" | "source" | "exchangeTs" | "receivedAt"
>;

const chainQuote = (q: LiveQuote): ChainQuote => ({
  ltp: q.ltp,
  prevClose: q.prevClose,
  bid: q.bid,
  bidQty: q.bidQty,
  ask: q.ask,
  askQty: q.askQty,
  volume: q.volume,
  oi: q.oi,
  source: q.source,
  exchangeTs: q.exchangeTs,
  receivedAt: q.receivedAt,
});

/** What the stream sends: the whole view on open and after the window moved, then one quote or stale mark each. */
export type ChainEvent =
  | { type: "snapshot"; chain: ChainSnapshot }
  | { type: "quote"; key: string; quote: ChainQuote }
  | { type: "stale"; key: string; stale: boolean };

export interface ChainStreamOptions {
  /** How often the lease is renewed (the stream's heartbeat interval). */
  renewMs: number;
  /** Lease lifetime; a few renewals long, so one slow renewal never drops the contracts. */
  ttlMs: number;
  now?: () => number;
}

/**
 * The last browser-channel message turned into a frame. The process's one Redis subscriber hands the same message
 * (the same string) to every open view of the contract in turn, so it is parsed, checked and serialized once per
 * message, not once per view (docs/live-streams.md).
 */
let lastQuote: { message: string; key: string; quote: LiveQuote; frame: PreparedFrame } | undefined;

function quoteFrame(key: string, message: string): { quote: LiveQuote; frame: PreparedFrame } | null {
  if (lastQuote && lastQuote.message === message && lastQuote.key === key) return lastQuote;
  const parsed = liveQuoteSchema.safeParse(parseJson(message));
  if (!parsed.success) return null;
  const event: ChainEvent = { type: "quote", key, quote: chainQuote(parsed.data) };
  lastQuote = { message, key, quote: parsed.data, frame: new PreparedFrame(event) };
  return lastQuote;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Starts the view and resolves once its lease is registered and its channels are subscribed (so nothing published
 * after that is missed); the first event sent is the snapshot. Returns the function that ends it.
 */
export async function startChainStream(
  state: ChainState,
  send: (event: ChainEvent | PreparedFrame) => void,
  opts: ChainStreamOptions,
): Promise<() => Promise<void>> {
  const now = opts.now ?? Date.now;
  const holder = `chain:${randomUUID()}`;
  const kind = state.kind;
  const uKey = spotKey(state);
  const subscriptions = new Map<string, Promise<() => Promise<void>>>();
  let keys = new Set<string>();
  let atm = state.chain.atmStrike;
  let stopped = false;
  let work: Promise<void> = Promise.resolve();
  const serially = (task: () => Promise<void>) => {
    work = work.then(task).catch((e) => log().warn({ err: e, holder }, "option-chain stream update failed"));
    return work;
  };

  const onQuote = (key: string) => (message: string) => {
    if (stopped || (key !== uKey && !keys.has(key))) return;
    const prepared = quoteFrame(key, message);
    if (!prepared) return;
    send(prepared.frame);
    if (key !== uKey) return;
    const spot = prepared.quote;
    // The ATM moved to another strike: the window (and its lease) moves with it.
    void serially(async () => {
      if (!stopped && !atmFor(state, new Decimal(spot.ltp)).eq(atm)) await refresh(spot);
    });
  };

  /** Subscribes the channels of `wanted` (new ones first) and drops the rest. */
  const syncChannels = async (wanted: Set<string>) => {
    const adds = [...wanted].filter((k) => !subscriptions.has(k));
    for (const k of adds) subscriptions.set(k, fanout().subscribe(LIVE.ui(kind, k), onQuote(k)));
    await Promise.all(adds.map((k) => subscriptions.get(k)));
    const drops = [...subscriptions.keys()].filter((k) => !wanted.has(k));
    await Promise.all(
      drops.map(async (k) => {
        const stop = subscriptions.get(k)!;
        subscriptions.delete(k);
        await (
          await stop
        )();
      }),
    );
  };

  /**
   * Leases and subscribes the contracts around the ATM of `spot` (the underlying's live quote; null: read the
   * stored one), then reads and sends the view: a quote published after the subscription is relayed, one written
   * before it is in the view.
   */
  const refresh = async (spot: LiveQuote | null) => {
    const spotLive = spot ?? (await liveSpot(state));
    const current = atmFor(state, spotLive ? new Decimal(spotLive.ltp) : null);
    if (stopped) return;
    atm = current;
    keys = new Set(contractKeys(state, current));
    await registerInterest(holder, kind, interestItems(state, current), opts.ttlMs);
    await syncChannels(new Set([uKey, ...keys]));
    const snapshot = await buildSnapshot(state, current, spotLive, now());
    if (!stopped) send({ type: "snapshot", chain: snapshot });
  };

  const staleStop = await fanout().subscribe(LIVE.staleEvents(kind), (message) => {
    const parsed = staleEventSchema.safeParse(parseJson(message));
    if (!parsed.success || stopped) return;
    const { key, stale } = parsed.data;
    if (key === uKey || keys.has(key)) send({ type: "stale", key, stale });
  });
  try {
    await refresh(null);
  } catch (e) {
    stopped = true;
    await staleStop();
    await syncChannels(new Set()).catch(() => undefined);
    await releaseInterest(holder);
    throw e;
  }

  const renew = setInterval(() => {
    void serially(async () => {
      if (stopped) return;
      // A lease that ran out (Redis restarted, the process was paused) is registered again.
      if (!(await renewInterest(holder, opts.ttlMs)))
        await registerInterest(holder, kind, interestItems(state, atm), opts.ttlMs);
    });
  }, opts.renewMs);

  return async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(renew);
    await work;
    await staleStop();
    await syncChannels(new Set());
    await releaseInterest(holder);
  };
}
