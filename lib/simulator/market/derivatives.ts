/**
 * Options and futures, built lazily: a contract exists once something names it (a quote, a chain, a search), and
 * is priced on demand with Black–Scholes, cached per tick. Nothing here walks the whole strike grid on a tick.
 */
import type { Exchange, Instrument, Quote } from "@/lib/simulator/types";
import { lotSizeFor, type InstrumentSettings } from "@/lib/trading/instruments";
import {
  expiryInstant,
  monthlyExpiries,
  previousTradingDay,
  sessionWindow,
  weeklyExpiries,
} from "@/lib/trading/calendar";
import { isOnStrikeGrid, parseDerivativeSymbol, type OptionType } from "@/lib/trading/symbols";
import { derivativeInstrument, derivativeSymbol, type DerivativeSpec } from "./catalog";
import { bsPrice, MIN_T, smileVol } from "./pricing";
import { hashString, hashUnit } from "./prng";
import { bookTop, optionHalfSpreadFraction, roundTick } from "./quote-shape";
import type { SpotState } from "./spot-book";

/** ACT/365 year in ms: option time to expiry is calendar time. */
export const YEAR_MS = 365 * 86_400_000;
/** Contracts resolve only for strikes within this fraction of spot (a sane listing range). */
export const STRIKE_RANGE = 0.3;
const WEEKLY_OPTION_EXPIRIES = 6;
const MONTHLY_EXPIRIES = 3;

export interface DerivativeContext {
  /** Simulated now (epoch ms). */
  now(): number;
  /** Instant prices are computed at; constant between ticks in realtime mode so quotes cache per tick. */
  priceTime(): number;
  /** Tick number. */
  seq(): number;
  /** IST date of now. */
  today(): string;
  /** IST date of the current session, or of the last one when today is closed. */
  sessionDate(): string;
  seedHash: number;
  /** Risk-free rate (fraction). */
  r: number;
  holidays: ReadonlySet<string>;
  isTradingDate(date: string): boolean;
  settings(underlying: string): Readonly<InstrumentSettings> | undefined;
  spot(underlying: string): SpotState | undefined;
}

export interface Contract {
  readonly instrument: Instrument;
  readonly spec: DerivativeSpec;
  readonly spot: SpotState;
  readonly symbolHash: number;
  cache?: { seq: number; pt: number; quote: Quote; iv: number; t: number };
  day?: {
    open: number;
    prevClose: number;
    high: number;
    low: number;
    /** The underlying's tick number the contract last traded at, lots traded since the open, OI change in lots. */
    spotSeq: number;
    tradedLots: number;
    oiShiftLots: number;
  };
}

export interface Priced {
  quote: Quote;
  /** Model implied vol (fraction); 0 for futures. */
  iv: number;
  /** Years to expiry at the pricing instant. */
  t: number;
}

interface Listed {
  options: { iso: string; ts: number; monthly: boolean }[];
  futures: { iso: string; ts: number }[];
}

export function createDerivativeBook(ctx: DerivativeContext) {
  const contracts = new Map<string, Contract>();
  const listings = new Map<string, Listed>();

  function listing(settings: Readonly<InstrumentSettings>): Listed {
    const today = ctx.today();
    const key = `${settings.underlying}|${today}`;
    let l = listings.get(key);
    if (!l) {
      const monthly = monthlyExpiries(settings.expiry, today, MONTHLY_EXPIRIES + 1, ctx.holidays);
      const weekly = settings.expiry.weekly
        ? weeklyExpiries(settings.expiry, today, WEEKLY_OPTION_EXPIRIES + 1, ctx.holidays)
        : [];
      const monthlySet = new Set(monthly);
      const all = [...new Set([...weekly, ...monthly])].sort();
      l = {
        options: all.map((iso) => ({ iso, ts: expiryInstant(iso), monthly: monthlySet.has(iso) })),
        futures: monthly.map((iso) => ({ iso, ts: expiryInstant(iso) })),
      };
      listings.set(key, l);
    }
    return l;
  }

  /**
   * The day's listing (ISO dates, ascending): up to 6 weeklies plus 3 monthlies for options, 3 monthlies for
   * futures, counted from today. With `now`, expiries that have passed (15:30 IST on their day) are dropped.
   */
  function listed(settings: Readonly<InstrumentSettings>, kind: "options" | "futures", now?: number): string[] {
    const l = listing(settings);
    const live = (e: { ts: number }) => now === undefined || e.ts > now;
    if (kind === "futures")
      return l.futures
        .filter(live)
        .slice(0, MONTHLY_EXPIRIES)
        .map((e) => e.iso);
    const options = l.options.filter(live);
    const weekly = settings.expiry.weekly ? options.slice(0, WEEKLY_OPTION_EXPIRIES).map((e) => e.iso) : [];
    const monthly = options
      .filter((e) => e.monthly)
      .slice(0, MONTHLY_EXPIRIES)
      .map((e) => e.iso);
    return [...new Set([...weekly, ...monthly])].sort();
  }

  /** Expiries still trading now (what `/expiry` lists). */
  function expiries(underlying: string, kind: "options" | "futures"): string[] {
    const settings = ctx.settings(underlying);
    return settings ? listed(settings, kind, ctx.now()) : [];
  }

  function build(
    settings: Readonly<InstrumentSettings>,
    expiry: string,
    kind: OptionType | "FUT",
    strike: number,
  ): Contract | undefined {
    const spot = ctx.spot(settings.underlying);
    if (!spot) return undefined;
    const spec: DerivativeSpec = {
      settings,
      expiry,
      expiryTs: expiryInstant(expiry),
      kind,
      strike: kind === "FUT" ? -1 : strike,
      lotSize: lotSizeFor(settings, expiry, ctx.today()),
    };
    const instrument = Object.freeze(derivativeInstrument(spec));
    const c: Contract = { instrument, spec, spot, symbolHash: hashString(instrument.symbol) };
    contracts.set(`${instrument.exchange}|${instrument.symbol}`, c);
    return c;
  }

  /**
   * The contract of a listed expiry and on-grid strike (within ±30 % of spot); undefined otherwise. A contract
   * that expired today still resolves until the day ends (priced at intrinsic value), like a broker's master
   * contract, so positions in it can be valued and settled.
   */
  function contract(
    underlying: string,
    expiry: string,
    kind: OptionType | "FUT",
    strike: number,
  ): Contract | undefined {
    const settings = ctx.settings(underlying);
    if (!settings) return undefined;
    const symbol = derivativeSymbol({ settings, expiry, kind, strike });
    const cached = contracts.get(`${settings.exchange}|${symbol}`);
    if (cached) return cached;
    const k = kind === "FUT" ? "futures" : "options";
    // Today's listing plus whatever moved up into the live window once today's expiry passed.
    if (!listed(settings, k).includes(expiry) && !listed(settings, k, ctx.now()).includes(expiry)) return undefined;
    if (kind !== "FUT") {
      const spot = ctx.spot(underlying);
      if (!spot || !(strike > 0) || !isOnStrikeGrid(strike, settings.strikeStep)) return undefined;
      if (Math.abs(strike - spot.ltp) > spot.ltp * STRIKE_RANGE) return undefined;
    }
    return build(settings, expiry, kind, strike);
  }

  function resolve(symbol: string, exchange: Exchange): Contract | undefined {
    const cached = contracts.get(`${exchange}|${symbol}`);
    if (cached) return cached;
    const parsed = parseDerivativeSymbol(symbol);
    if (!parsed) return undefined;
    const settings = ctx.settings(parsed.underlying);
    if (!settings || settings.exchange !== exchange) return undefined;
    return parsed.kind === "future"
      ? contract(parsed.underlying, parsed.expiry, "FUT", -1)
      : contract(parsed.underlying, parsed.expiry, parsed.optionType, parsed.strike);
  }

  /** Model premium of a contract at spot `s` and instant `at` (untouched by ticks or caches). */
  function modelPrice(c: Contract, s: number, at: number): { price: number; iv: number; t: number } {
    const t = Math.max(0, c.spec.expiryTs - at) / YEAR_MS;
    if (c.spec.kind === "FUT") return { price: s * Math.exp(ctx.r * t), iv: 0, t };
    const iv = smileVol(c.spot.vol, s, c.spec.strike, t, ctx.r);
    return { price: bsPrice({ spot: s, strike: c.spec.strike, t, r: ctx.r, sigma: iv, kind: c.spec.kind }), iv, t };
  }

  function dayState(c: Contract, ltp: number, pt: number): NonNullable<Contract["day"]> {
    if (c.day) return c.day;
    const session = ctx.sessionDate();
    const tick = c.spec.settings.tickSize;
    const prevCloseAt = sessionWindow(previousTradingDay(session, ctx.holidays)).close;
    const prevClose = Math.max(tick, roundTick(modelPrice(c, c.spot.prevClose, prevCloseAt).price, tick));
    const openAt = Math.min(pt, sessionWindow(session).open);
    const open = Math.max(tick, roundTick(modelPrice(c, c.spot.open, openAt).price, tick));
    c.day = {
      open,
      prevClose,
      high: Math.max(open, ltp),
      low: Math.min(open, ltp),
      spotSeq: c.spot.seq,
      tradedLots: 0,
      oiShiftLots: 0,
    };
    return c.day;
  }

  function sessionFraction(pt: number): number {
    const today = ctx.today();
    if (!ctx.isTradingDate(today)) return 1;
    const w = sessionWindow(today);
    return Math.min(1, Math.max(0, (pt - w.open) / (w.close - w.open)));
  }

  function price(c: Contract): Priced {
    const seq = ctx.seq();
    const pt = ctx.priceTime();
    const cache = c.cache;
    if (cache && cache.seq === seq && cache.pt === pt) return cache;
    const tick = c.spec.settings.tickSize;
    const lot = c.spec.lotSize;
    const m = modelPrice(c, c.spot.ltp, pt);
    const ltp = Math.max(tick, roundTick(m.price, tick));
    const day = dayState(c, ltp, pt);
    if (ltp > day.high) day.high = ltp;
    if (ltp < day.low) day.low = ltp;
    const isFut = c.spec.kind === "FUT";
    const tt = Math.max(m.t, MIN_T);
    const moneyness = isFut ? 0 : Math.log(c.spec.strike / c.spot.ltp) / (c.spot.vol * Math.sqrt(tt));
    const top = bookTop({
      ltp,
      halfSpreadFraction: isFut ? 0.00001 : optionHalfSpreadFraction(moneyness, ltp),
      minHalfTicks: 1,
      tick,
      lot,
      seedHash: ctx.seedHash,
      symbolHash: c.symbolHash,
      seq,
    });
    // Open interest concentrates near the money and in near expiries; volume accrues through the session.
    const base = 0.5 + hashUnit(ctx.seedHash, c.symbolHash, 7);
    const near = 0.2 + Math.exp(-m.t * 6);
    const oiLots = Math.round((isFut ? 40_000 : 1_500 + 25_000 * Math.exp((-moneyness * moneyness) / 2)) * base * near);
    // Trading goes on between quotes: every move of the underlying trades a few lots and opens or closes a few
    // positions, so a stream shows volume and OI moving tick by tick (deterministic per seed, symbol and tick).
    if (day.spotSeq !== c.spot.seq) {
      day.spotSeq = c.spot.seq;
      day.tradedLots += 1 + Math.floor(hashUnit(ctx.seedHash, c.symbolHash, c.spot.seq, 11) * 40);
      day.oiShiftLots += Math.round((hashUnit(ctx.seedHash, c.symbolHash, c.spot.seq, 13) - 0.5) * 40) || 1;
    }
    const quote: Quote = Object.freeze({
      symbol: c.instrument.symbol,
      exchange: c.instrument.exchange,
      ltp,
      open: day.open,
      high: day.high,
      low: day.low,
      prevClose: day.prevClose,
      bid: top.bid,
      ask: top.ask,
      bidQty: top.bidQty,
      askQty: top.askQty,
      volume: (Math.round(oiLots * 3 * sessionFraction(pt)) + day.tradedLots) * lot,
      oi: Math.max(1, oiLots + day.oiShiftLots) * lot,
      ts: c.spot.ts,
    });
    c.cache = { seq, pt, quote, iv: m.iv, t: m.t };
    return c.cache;
  }

  return {
    expiries,
    contract,
    modelPrice,
    resolve,
    price,
    /** Forget every built contract (new trading day, changed lot sizes). */
    reset(underlying?: string) {
      if (underlying === undefined) {
        contracts.clear();
        listings.clear();
        return;
      }
      for (const [key, c] of contracts) if (c.spec.settings.underlying === underlying) contracts.delete(key);
      for (const key of listings.keys()) if (key.startsWith(`${underlying}|`)) listings.delete(key);
    },
  };
}

export type DerivativeBook = ReturnType<typeof createDerivativeBook>;
