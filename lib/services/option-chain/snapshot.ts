/**
 * An option chain as the page shows it: the strikes around the live ATM, each contract's latest live quote (or the
 * chain call's figures until the feed has one), stale marks and the day's first-seen open interest
 * (docs/market-data.md "Option chain").
 */
import Decimal from "decimal.js";
import type { OptionChain } from "@/lib/brokers/market-types";
import { redis } from "@/lib/redis";
import { istDateOf } from "@/lib/trading/calendar";
import { nearestStrike, strikeWindow } from "@/lib/trading/option-chain-stats";
import {
  liveKey,
  readQuotes,
  readStaleFlags,
  type FeedKind,
  type InterestItem,
  type LiveQuote,
} from "@/lib/services/market-data";

/** One contract of the view. Prices are decimal strings; a figure the feed did not send stays null. */
export interface ChainContract {
  symbol: string;
  exchange: string;
  key: string;
  ltp: string | null;
  prevClose: string | null;
  bid: string | null;
  bidQty: number | null;
  ask: string | null;
  askQty: number | null;
  volume: number | null;
  oi: number | null;
  /** Open interest when MirrorDesk first saw the contract this IST day (the feed carries no previous-day OI). */
  oiBase: number | null;
  /** `feed` or `rest` (live quote store), `chain` (the option-chain call, before any live quote). */
  source: "feed" | "rest" | "chain";
  stale: boolean;
  receivedAt: string | null;
}

export interface ChainRow {
  strike: string;
  ce: ChainContract | null;
  pe: ChainContract | null;
}

export interface ChainSnapshot {
  kind: FeedKind;
  underlying: string;
  /** Where the options trade (NFO, BFO). */
  exchange: string;
  indexExchange: string;
  expiry: string;
  /** Strikes shown each side of ATM. */
  strikesEach: number;
  lotSize: number | null;
  spot: { key: string; ltp: string | null; prevClose: string | null; source: ChainContract["source"]; stale: boolean };
  atm: string;
  rows: ChainRow[];
  at: string;
}

/** What the server keeps about the whole chain (every listed strike), to move the window with the ATM. */
export interface ChainState {
  kind: FeedKind;
  underlying: string;
  exchange: string;
  indexExchange: string;
  expiry: string;
  strikesEach: number;
  chain: OptionChain;
}

export const spotKey = (s: ChainState) => liveKey(s.indexExchange, s.underlying);

/** The ATM strike for a spot price (the broker's ATM when there is no usable price). */
export function atmFor(s: ChainState, spot: Decimal | null): Decimal {
  const strikes = s.chain.rows.map((r) => r.strike);
  return (spot && spot.gt(0) ? nearestStrike(strikes, spot) : null) ?? s.chain.atmStrike;
}

/** Rows of the chain inside the window around `atm`. */
export function windowRows(s: ChainState, atm: Decimal) {
  const keep = new Set(
    strikeWindow(
      s.chain.rows.map((r) => r.strike),
      atm,
      s.strikesEach,
    ).map(String),
  );
  return s.chain.rows.filter((r) => keep.has(r.strike.toString()));
}

/** Live keys of the window's contracts (not the underlying). */
export function contractKeys(s: ChainState, atm: Decimal): string[] {
  return windowRows(s, atm).flatMap((r) =>
    [r.ce, r.pe].filter((l) => l !== null).map((l) => liveKey(s.exchange, l.symbol)),
  );
}

/** The interest a view holds: depth (mode 3) for each contract shown, quote (mode 2) for the underlying index. */
export function interestItems(s: ChainState, atm: Decimal): InterestItem[] {
  return [
    { exchange: s.indexExchange, symbol: s.underlying, mode: 2 },
    ...windowRows(s, atm).flatMap((r) =>
      [r.ce, r.pe].filter((l) => l !== null).map((l) => ({ exchange: s.exchange, symbol: l.symbol, mode: 3 as const })),
    ),
  ];
}

const OI_BASE_TTL_S = 36 * 3600;
const oiBaseKey = (kind: FeedKind, date: string) => `md:chain:oi-base:${kind}:${date}`;

/** Records each contract's first OI of the IST day (first writer wins) and returns the day's baselines. */
async function oiBaselines(kind: FeedKind, oi: Map<string, number>, nowMs: number): Promise<Map<string, number>> {
  const key = oiBaseKey(kind, istDateOf(nowMs));
  const keys = [...oi.keys()];
  if (keys.length === 0) return new Map();
  const m = redis().multi();
  for (const [k, v] of oi) m.hsetnx(key, k, String(v));
  m.expire(key, OI_BASE_TTL_S);
  m.hmget(key, ...keys);
  const res = (await m.exec()) ?? [];
  const values = (res[res.length - 1]?.[1] ?? []) as (string | null)[];
  return new Map(keys.flatMap((k, i) => (values[i] === null ? [] : [[k, Number(values[i])]])));
}

function contractOf(
  exchange: string,
  leg: NonNullable<OptionChain["rows"][number]["ce"]>,
  live: LiveQuote | undefined,
  stale: boolean,
): ChainContract {
  const key = liveKey(exchange, leg.symbol);
  if (live) {
    return {
      symbol: leg.symbol,
      exchange,
      key,
      ltp: live.ltp,
      prevClose: live.prevClose,
      bid: live.bid,
      bidQty: live.bidQty,
      ask: live.ask,
      askQty: live.askQty,
      volume: live.volume,
      oi: live.oi,
      oiBase: null,
      source: live.source,
      stale,
      receivedAt: live.receivedAt,
    };
  }
  return {
    symbol: leg.symbol,
    exchange,
    key,
    ltp: leg.ltp.gt(0) ? leg.ltp.toString() : null,
    prevClose: null,
    bid: leg.bid?.toString() ?? null,
    bidQty: null,
    ask: leg.ask?.toString() ?? null,
    askQty: null,
    volume: leg.volume,
    oi: leg.oi,
    oiBase: null,
    source: "chain",
    stale,
    receivedAt: null,
  };
}

/** The underlying's latest live quote, if the feed has one. */
export async function liveSpot(s: ChainState): Promise<LiveQuote | null> {
  return (await readQuotes(s.kind, [spotKey(s)])).get(spotKey(s)) ?? null;
}

/**
 * The view around `atm` (the caller leases and subscribes its contracts first, so nothing is missed between this
 * read and the live updates). `spotLive` is the underlying's live quote, null to use the chain call's spot.
 */
export async function buildSnapshot(
  s: ChainState,
  atm: Decimal,
  spotLive: LiveQuote | null,
  nowMs: number,
): Promise<ChainSnapshot> {
  const uKey = spotKey(s);
  const spot = spotLive ? new Decimal(spotLive.ltp) : s.chain.underlyingLtp;
  const rows = windowRows(s, atm);
  const keys = contractKeys(s, atm);
  const [quotes, stale] = await Promise.all([readQuotes(s.kind, keys), readStaleFlags(s.kind)]);
  const out: ChainRow[] = rows.map((r) => ({
    strike: r.strike.toString(),
    ce: r.ce && contractOf(s.exchange, r.ce, quotes.get(liveKey(s.exchange, r.ce.symbol)), false),
    pe: r.pe && contractOf(s.exchange, r.pe, quotes.get(liveKey(s.exchange, r.pe.symbol)), false),
  }));
  const contracts = out.flatMap((r) => [r.ce, r.pe].filter((c) => c !== null));
  for (const c of contracts) c.stale = stale.has(c.key);
  const bases = await oiBaselines(
    s.kind,
    new Map(contracts.filter((c) => c.oi !== null).map((c) => [c.key, c.oi!])),
    nowMs,
  );
  for (const c of contracts) c.oiBase = bases.get(c.key) ?? null;
  const lot = rows.find((r) => r.ce ?? r.pe);
  return {
    kind: s.kind,
    underlying: s.underlying,
    exchange: s.exchange,
    indexExchange: s.indexExchange,
    expiry: s.expiry,
    strikesEach: s.strikesEach,
    lotSize: (lot?.ce ?? lot?.pe)?.lotSize ?? null,
    spot: {
      key: uKey,
      ltp: spotLive ? spotLive.ltp : spot.gt(0) ? spot.toString() : null,
      prevClose: spotLive?.prevClose ?? null,
      source: spotLive?.source ?? "chain",
      stale: stale.has(uKey),
    },
    atm: atm.toString(),
    rows: out,
    at: new Date(nowMs).toISOString(),
  };
}
