/**
 * An account's market data over Kite's ticker (docs/brokers/zerodha.md "Market data stream"). Contracts are named by
 * their instrument token from the day's master; `{"a":"subscribe"}` then `{"a":"mode"}` set each token's mode. Kite
 * keeps one mode per token, so a token wanted at several of our modes streams at the richest one. Our mode 1 is Kite's
 * `ltp`; modes 2 and 3 are Kite's `full`, because only full packets carry open interest and the exchange time that
 * our mode 2 promises (Kite's `quote` packet has neither). Each tick carries what its wanted mode carries and no more:
 * mode 1 the LTP, mode 2 adds OHLC, volume, OI and time, mode 3 the book and best bid/ask. Kite acknowledges nothing,
 * so a subscribe resolves once it is sent; contracts the master does not list are refused before anything is sent.
 */
import type { LookupFunction } from "node:net";
import type {
  FeedItem,
  FeedLevel,
  FeedMode,
  FeedSubscribeResult,
  FeedTick,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
} from "@/lib/brokers/market-types";
import type { MasterRow } from "@/lib/brokers/instruments";
import { BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
import { scrub } from "./kite-client";
import { openTickerSocket } from "./ticker-socket";
import { parseTickerMessage, type TickerLevel, type TickerPacket } from "./ticker-packets";

export interface KiteFeedOptions extends MarketFeedTimings {
  url: string;
  accountId: string;
  secrets: readonly string[];
  lookup?: LookupFunction;
  /** The master rows of `items` (undefined where today's master does not list one). */
  rowsOf(items: readonly FeedItem[]): Promise<(MasterRow | undefined)[]>;
  /** Clock for `receivedAt` (tests). */
  now?: () => Date;
}

/** Kite streams at most this many instruments on one connection. */
const MAX_TOKENS = 3000;
const TOO_MANY = `Zerodha streams at most ${MAX_TOKENS} instruments per connection`;

type KiteMode = "ltp" | "full";
const kiteModeOf = (modes: Set<FeedMode>): KiteMode => (modes.has(2) || modes.has(3) ? "full" : "ltp");
const topMode = (modes: Set<FeedMode>): FeedMode => (modes.has(3) ? 3 : modes.has(2) ? 2 : 1);

interface Wanted {
  exchange: string;
  symbol: string;
  modes: Set<FeedMode>;
}

/** A positive price as plain decimal text; null for 0 (Kite's "none"). */
const priceText = (d: { isPositive(): boolean; isZero(): boolean; toFixed(): string }) =>
  d.isPositive() && !d.isZero() ? d.toFixed() : null;

function levels(side: TickerLevel[]): FeedLevel[] {
  return side
    .filter((l) => l.quantity > 0 && l.price.isPositive() && !l.price.isZero())
    .map((l) => ({ price: l.price.toFixed(), quantity: l.quantity, orders: l.orders }));
}

/** The tick of `packet` for a contract wanted at `mode`; null without a usable last price. */
export function tickOf(packet: TickerPacket, want: Wanted, receivedAt: Date): FeedTick | null {
  const ltp = priceText(packet.ltp);
  if (ltp === null) return null;
  const mode = topMode(want.modes);
  const quote = mode >= 2;
  const book = mode === 3 && packet.depth ? { buy: levels(packet.depth.buy), sell: levels(packet.depth.sell) } : null;
  const depth = book && (book.buy.length > 0 || book.sell.length > 0) ? book : null;
  return {
    exchange: want.exchange,
    symbol: want.symbol,
    ltp,
    prevClose: quote && packet.ohlc ? priceText(packet.ohlc.close) : null,
    open: quote && packet.ohlc ? priceText(packet.ohlc.open) : null,
    high: quote && packet.ohlc ? priceText(packet.ohlc.high) : null,
    low: quote && packet.ohlc ? priceText(packet.ohlc.low) : null,
    bid: depth?.buy[0]?.price ?? null,
    bidQty: depth?.buy[0]?.quantity ?? null,
    ask: depth?.sell[0]?.price ?? null,
    askQty: depth?.sell[0]?.quantity ?? null,
    depth,
    volume: quote ? packet.volume : null,
    oi: quote ? packet.oi : null,
    exchangeTs: quote && packet.exchangeTs ? new Date(packet.exchangeTs * 1000).toISOString() : null,
    receivedAt: receivedAt.toISOString(),
  };
}

/** The text of a Kite `{"type":"error","data":…}` frame; null for every other frame. */
function noticeOf(text: string): string | null {
  try {
    const frame: unknown = JSON.parse(text);
    if (typeof frame === "object" && frame !== null && (frame as { type?: unknown }).type === "error")
      return String((frame as { data?: unknown }).data ?? "error");
  } catch {
    // Not JSON: nothing this stream reads.
  }
  return null;
}

export async function openKiteMarketFeed(opts: KiteFeedOptions, handlers: MarketFeedHandlers): Promise<MarketFeed> {
  const now = opts.now ?? (() => new Date());
  const where = { broker: "zerodha", accountId: opts.accountId, ws: new URL(opts.url).host };
  const wanted = new Map<number, Wanted>();
  let closed = false;
  const socket = await openTickerSocket(
    { ...opts, what: "market-data stream" },
    {
      onBinary(data) {
        let packets: TickerPacket[];
        try {
          packets = parseTickerMessage(data);
        } catch {
          return log().warn(where, "unreadable market-data message from Zerodha");
        }
        const at = now();
        for (const p of packets) {
          const want = wanted.get(p.token);
          const tick = want && tickOf(p, want, at);
          if (tick) handlers.onTick(tick);
        }
      },
      onText(text) {
        // Order postbacks share the ticker and are not this stream's; errors are Kite's notices (the stream goes on).
        const notice = noticeOf(text);
        if (notice) log().warn({ ...where, notice: scrub(notice, opts.secrets) }, "Zerodha ticker reported an error");
      },
      onEnd(error) {
        closed = true;
        wanted.clear();
        handlers.onClose(error);
      },
    },
  );

  const alive = () => {
    if (closed) throw new BrokerUnavailableError("market-data stream is closed", "unreachable");
  };
  /** Sends the mode of each token, grouped by mode. */
  const setModes = (tokens: number[]) => {
    for (const mode of ["ltp", "full"] as KiteMode[]) {
      const of = tokens.filter((t) => kiteModeOf(wanted.get(t)!.modes) === mode);
      if (of.length > 0) socket.send({ a: "mode", v: [mode, of] });
    }
  };

  return {
    host: socket.host,
    async subscribe(items) {
      alive();
      const rows = await opts.rowsOf(items);
      alive();
      const refused: FeedSubscribeResult["refused"] = [];
      const added: number[] = [];
      const changed: number[] = [];
      items.forEach((item, i) => {
        const token = Number(rows[i]?.token);
        if (!rows[i] || !Number.isSafeInteger(token)) {
          refused.push({ exchange: item.exchange, symbol: item.symbol, reason: "not in Zerodha's instrument list" });
          return;
        }
        const w = wanted.get(token);
        if (!w && wanted.size >= MAX_TOKENS) {
          refused.push({ exchange: item.exchange, symbol: item.symbol, reason: TOO_MANY });
          return;
        }
        if (!w) {
          wanted.set(token, { exchange: item.exchange, symbol: item.symbol, modes: new Set([item.mode]) });
          added.push(token);
        } else {
          const before = kiteModeOf(w.modes);
          w.modes.add(item.mode);
          if (kiteModeOf(w.modes) !== before) changed.push(token);
        }
      });
      if (added.length > 0) socket.send({ a: "subscribe", v: added });
      setModes([...added, ...changed]);
      return { refused };
    },
    async unsubscribe(items) {
      alive();
      const rows = await opts.rowsOf(items);
      const dropped: number[] = [];
      const changed: number[] = [];
      items.forEach((item, i) => {
        const token = Number(rows[i]?.token);
        const w = wanted.get(token);
        if (!w) return;
        const before = kiteModeOf(w.modes);
        w.modes.delete(item.mode);
        if (w.modes.size === 0) {
          wanted.delete(token);
          dropped.push(token);
        } else if (kiteModeOf(w.modes) !== before) changed.push(token);
      });
      if (dropped.length > 0) socket.send({ a: "unsubscribe", v: dropped });
      setModes(changed);
    },
    async close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
