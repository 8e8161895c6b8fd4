/**
 * Read-side queries of the market model that span many instruments: search, expiries, option chains, greeks
 * and history. Kept apart from market.ts so the tick loop stays small.
 */
import type { Candle, Exchange, Greeks, Instrument, OptionChain, OptionChainRow } from "@/lib/simulator/types";
import type { InstrumentSettings } from "@/lib/trading/instruments";
import { atmStrike, formatExpiry, optionSymbol, parseExpiry, type OptionType } from "@/lib/trading/symbols";
import type { Contract, DerivativeBook } from "./derivatives";
import { candles, type Bar, type SeriesSource } from "./history";
import { bsGreeks, impliedVol } from "./pricing";
import { hashUnit } from "./prng";
import type { SpotState } from "./spot-book";

/** OpenAlgo answers at most 500 search results. */
export const SEARCH_LIMIT = 500;
/** "All strikes" of a chain (and of option search): the grid within ±10 % of spot. */
const CHAIN_RANGE = 0.1;

export interface QueryDeps {
  derivatives: DerivativeBook;
  settings(underlying: string): Readonly<InstrumentSettings> | undefined;
  spot(
    underlying: string,
  ): { state: SpotState; source: SeriesSource; dailyCache: Map<number, { open: number; close: number }> } | undefined;
  listings(): Iterable<{ instrument: Instrument }>;
  allSettings(): Iterable<Readonly<InstrumentSettings>>;
  r: number;
  seedHash: number;
}

const round = (x: number, dp: number) => Number(x.toFixed(dp));

export function createMarketQueries(d: QueryDeps) {
  function strikesAround(settings: Readonly<InstrumentSettings>, spot: number, count?: number): number[] {
    const step = settings.strikeStep;
    const atm = atmStrike(spot, step);
    const n = count ?? Math.floor((spot * CHAIN_RANGE) / step);
    const out: number[] = [];
    for (let i = -n; i <= n; i++) {
      const k = atm + i * step;
      if (k > 0) out.push(k);
    }
    return out;
  }

  function modelGreeks(c: Contract): Greeks {
    const p = d.derivatives.price(c);
    const g = bsGreeks({
      spot: c.spot.ltp,
      strike: c.spec.strike,
      t: p.t,
      r: d.r,
      sigma: p.iv,
      kind: c.spec.kind as OptionType,
    });
    return shapeGreeks(g, p.iv);
  }

  function shapeGreeks(g: ReturnType<typeof bsGreeks>, iv: number): Greeks {
    return {
      delta: round(g.delta, 4),
      gamma: round(g.gamma, 6),
      theta: round(g.theta, 4),
      vega: round(g.vega, 4),
      rho: round(g.rho, 6),
      iv: round(iv * 100, 2),
    };
  }

  /** Every listed derivative as (underlying, expiry, kind, strike): futures first, then options by expiry and strike. */
  function* listedDerivatives(
    exchange?: Exchange,
  ): Generator<{ underlying: string; expiry: string; kind: OptionType | "FUT"; strike: number }> {
    const all = [...d.allSettings()].filter((s) => exchange === undefined || exchange === s.exchange);
    for (const s of all) {
      for (const expiry of d.derivatives.expiries(s.underlying, "futures"))
        yield { underlying: s.underlying, expiry, kind: "FUT", strike: -1 };
    }
    for (const s of all) {
      const spot = d.spot(s.underlying);
      if (!spot) continue;
      const strikes = strikesAround(s, spot.state.ltp);
      for (const expiry of d.derivatives.expiries(s.underlying, "options")) {
        for (const strike of strikes) {
          yield { underlying: s.underlying, expiry, kind: "CE", strike };
          yield { underlying: s.underlying, expiry, kind: "PE", strike };
        }
      }
    }
  }

  function spotListings(exchange?: Exchange): Instrument[] {
    const out: Instrument[] = [];
    for (const { instrument } of d.listings())
      if (exchange === undefined || instrument.exchange === exchange) out.push(instrument);
    return out;
  }

  function search(query: string, exchange?: Exchange): Instrument[] {
    const q = query.trim().toUpperCase();
    if (q === "") return [];
    const out = spotListings(exchange)
      .filter((i) => i.symbol.includes(q) || i.name.toUpperCase().includes(q))
      .slice(0, SEARCH_LIMIT);
    for (const x of listedDerivatives(exchange)) {
      if (out.length >= SEARCH_LIMIT) break;
      // Match on the symbol text first; the contract (and its Instrument) is only built for hits.
      const symbol =
        x.kind === "FUT"
          ? `${x.underlying}${formatExpiry(x.expiry, "DDMMMYY")}FUT`
          : optionSymbol(x.underlying, x.expiry, x.strike, x.kind);
      if (!symbol.includes(q)) continue;
      const c = d.derivatives.contract(x.underlying, x.expiry, x.kind, x.strike);
      if (c) out.push(c.instrument);
    }
    return out;
  }

  /** The whole listing (for `GET /instruments`): spots, then futures, then options within ±10 % of spot. */
  function instruments(exchange?: Exchange): Instrument[] {
    const out = spotListings(exchange);
    for (const x of listedDerivatives(exchange)) {
      const c = d.derivatives.contract(x.underlying, x.expiry, x.kind, x.strike);
      if (c) out.push(c.instrument);
    }
    return out;
  }

  function expiries(underlying: string, exchange: Exchange, kind: "options" | "futures"): string[] {
    const s = d.settings(underlying);
    if (!s || s.exchange !== exchange) return [];
    return d.derivatives.expiries(s.underlying, kind).map((e) => formatExpiry(e, "DD-MMM-YY"));
  }

  function optionChain(
    underlying: string,
    exchange: Exchange,
    expiryText: string,
    strikeCount?: number,
  ): OptionChain | undefined {
    const s = d.settings(underlying);
    const spot = d.spot(underlying);
    if (!s || !spot || (exchange !== s.indexExchange && exchange !== s.exchange)) return undefined;
    const expiry = parseExpiry(expiryText);
    if (!expiry || !d.derivatives.expiries(s.underlying, "options").includes(expiry)) return undefined;
    if (strikeCount !== undefined && (!Number.isSafeInteger(strikeCount) || strikeCount < 1)) return undefined;
    const ltp = spot.state.ltp;
    const rows: OptionChainRow[] = [];
    let expiryTs = 0;
    for (const k of strikesAround(s, ltp, strikeCount)) {
      const leg = (type: OptionType) => {
        const c = d.derivatives.contract(s.underlying, expiry, type, k);
        if (!c) return null;
        expiryTs = c.spec.expiryTs;
        return { instrument: c.instrument, quote: d.derivatives.price(c).quote, greeks: modelGreeks(c) };
      };
      const ce = leg("CE");
      const pe = leg("PE");
      if (ce || pe) rows.push({ strike: k, ce, pe });
    }
    if (rows.length === 0) return undefined;
    return {
      underlying: s.underlying,
      underlyingExchange: s.indexExchange,
      underlyingLtp: ltp,
      expiry: formatExpiry(expiry, "DDMMMYY"),
      expiryTs,
      atmStrike: atmStrike(ltp, s.strikeStep),
      rows,
    };
  }

  /**
   * Greeks from the option's traded price. `interestRate` is in percent (as OpenAlgo's `interest_rate`);
   * without it the model's own rate is used, so the IV matches the one the price was made with.
   */
  function greeks(
    symbol: string,
    exchange: Exchange,
    opts?: { interestRate?: number; underlyingPrice?: number },
  ): Greeks | undefined {
    const c = d.derivatives.resolve(symbol, exchange);
    if (!c || c.spec.kind === "FUT") return undefined;
    const p = d.derivatives.price(c);
    const spot = opts?.underlyingPrice ?? c.spot.ltp;
    const r = opts?.interestRate !== undefined ? opts.interestRate / 100 : d.r;
    if (!(spot > 0) || !Number.isFinite(r)) return undefined;
    const kind = c.spec.kind as OptionType;
    const iv = impliedVol(p.quote.ltp, { spot, strike: c.spec.strike, t: p.t, r, kind }) ?? p.iv;
    return shapeGreeks(bsGreeks({ spot, strike: c.spec.strike, t: p.t, r, sigma: iv, kind }), iv);
  }

  function history(
    symbol: string,
    exchange: Exchange,
    interval: string,
    startDate: string,
    endDate: string,
  ): Candle[] | undefined {
    for (const { instrument } of d.listings()) {
      if (instrument.symbol !== symbol || instrument.exchange !== exchange) continue;
      const spot = d.spot(instrument.underlying)!;
      return candles(spot.source, spot.dailyCache, interval, startDate, endDate, instrument.tickSize);
    }
    const c = d.derivatives.resolve(symbol, exchange);
    if (!c) return undefined;
    const spot = d.spot(c.spec.settings.underlying)!;
    const oi = d.derivatives.price(c).quote.oi;
    const isPut = c.spec.kind === "PE";
    const priceAt = (s: number, at: number) => d.derivatives.modelPrice(c, s, at).price;
    // Premiums are monotone in spot: a call's high comes from the spot high, a put's from the spot low.
    const mapBar = (b: Bar, at: number): Bar | undefined => {
      if (at >= c.spec.expiryTs) return undefined;
      const hi = priceAt(isPut ? b.low : b.high, at);
      const lo = priceAt(isPut ? b.high : b.low, at);
      const lots = 1 + Math.floor(hashUnit(d.seedHash, c.symbolHash, Math.floor(at / 60_000)) * 200);
      return {
        open: priceAt(b.open, at),
        high: hi,
        low: lo,
        close: priceAt(b.close, at),
        volume: lots * c.spec.lotSize,
      };
    };
    const rows = candles(spot.source, spot.dailyCache, interval, startDate, endDate, c.spec.settings.tickSize, mapBar);
    return rows?.map((row) => ({
      ...row,
      open: Math.max(row.open, 0.05),
      low: Math.max(row.low, 0.05),
      high: Math.max(row.high, 0.05),
      close: Math.max(row.close, 0.05),
      oi,
    }));
  }

  return { search, instruments, expiries, optionChain, greeks, history };
}
