/**
 * The simulator's market model: clock, listed instruments, ticking prices, option chains, greeks and history,
 * behind the `MarketView` seam of lib/simulator/types.ts. Deterministic for a seed: the walk draws from one
 * mulberry32 stream in a fixed order, everything else is a hash of (seed, symbol, tick).
 */
import type { Exchange, MarketView } from "@/lib/simulator/types";
import { ValidationError } from "@/lib/errors";
import {
  DAY_MS,
  EXCHANGE_HOLIDAYS,
  IST_OFFSET_MS,
  dateOfDayNumber,
  isIsoDate,
  previousTradingDay,
  tradingHolidaySet,
  type ExchangeHoliday,
} from "@/lib/trading/calendar";
import { DEFAULT_INSTRUMENT_SETTINGS, type InstrumentSettings } from "@/lib/trading/instruments";
import { createClock, type ClockOptions } from "./clock";
import { createDerivativeBook } from "./derivatives";
import { INTERVALS, recordTick } from "./history";
import { createMarketQueries } from "./market-queries";
import { hashString, mulberry32, normalFrom } from "./prng";
import { depthOf } from "./quote-shape";
import { createSessionCalendar } from "./sessions";
import { rollSpotDay, setSpotPrice, spotQuote, stepSpot, TRADING_YEAR_MS } from "./spot-book";
import { createSpotUniverse, type SpotEntry } from "./spot-universe";

export interface CreateMarketOptions {
  seed: number;
  clock?: ClockOptions;
  /** Treat every exchange as in session (demo and benchmark default). */
  alwaysOpen?: boolean;
  /** Real ms between ticks of the realtime timer (default 250). */
  tickIntervalMs?: number;
  /** Replaces the seeded holiday list (e.g. from admin settings). */
  holidays?: readonly ExchangeHoliday[];
}

/** Risk-free rate used for carry and option pricing (≈ Indian T-bill yield). */
export const RISK_FREE_RATE = 0.065;
/** A derivative stays "watched" (reported by onTick) this many ticks after its last quote()/depth(). */
export const WATCH_TTL_TICKS = 2_400;
/** Longest simulated gap one tick's random-walk step may cover, so a jump of the clock is not one huge move. */
const MAX_STEP_MS = 60_000;

interface Watched {
  symbol: string;
  exchange: Exchange;
  underlying: string;
  seq: number;
}

export function createMarket(opts: CreateMarketOptions): MarketView {
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  const tickIntervalMs = opts.tickIntervalMs ?? 250;
  if (!(tickIntervalMs > 0)) throw new RangeError(`tickIntervalMs must be positive, got ${tickIntervalMs}`);
  const clock = createClock(opts.clock ?? { mode: "realtime" });
  const seedHash = hashString(`mirrordesk-market:${opts.seed}`);
  const rng = mulberry32(seedHash);
  const holidayList = opts.holidays ?? EXCHANGE_HOLIDAYS;
  // Mutable: holidays declared through the control API shift expiries as real ones do (calendarChanged below).
  const holidays = new Set(tradingHolidaySet(holidayList));
  const sessions = createSessionCalendar(holidayList);
  const settings = new Map<string, Readonly<InstrumentSettings>>(Object.entries(DEFAULT_INSTRUMENT_SETTINGS));
  /** Freeze limits the exchange enforces below what the instrument data reports (setExchangeFreeze), by underlying. */
  const exchangeFreeze = new Map<string, number>();
  let alwaysOpen = opts.alwaysOpen ?? false;
  let pricesHeld = false;
  let seq = 0;
  let lastTickAt = clock.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<(changed: { symbol: string; exchange: Exchange }[]) => void>();
  /** Contracts whose WebSocket ticks are held back (`EXCHANGE:SYMBOL`). */
  const stalled = new Set<string>();
  const watched = new Map<string, Watched>();

  const dayOf = (ms: number) => Math.floor((ms + IST_OFFSET_MS) / DAY_MS);
  let dayNum = dayOf(clock.now());
  let today = dateOfDayNumber(dayNum);
  let sessionDate = sessions.isTradingDate("NSE", today) ? today : previousTradingDay(today, holidays);

  const { spots, listings } = createSpotUniverse({
    seedHash,
    rng,
    now: clock.now(),
    today,
    holidays,
    isTradingDate: (d) => sessions.isTradingDate("NSE", d),
  });

  // ---- derivatives ---------------------------------------------------------------------------------------
  const derivatives = createDerivativeBook({
    now: () => clock.now(),
    priceTime: () => {
      const now = clock.now();
      return clock.mode() === "fixed" ? now : Math.floor(now / tickIntervalMs) * tickIntervalMs;
    },
    seq: () => seq,
    today: () => today,
    sessionDate: () => sessionDate,
    seedHash,
    r: RISK_FREE_RATE,
    holidays,
    isTradingDate: (d) => sessions.isTradingDate("NFO", d),
    settings: (u) => settings.get(u.toUpperCase()),
    spot: (u) => spots.get(u.toUpperCase())?.state,
  });

  /** Rolls the session when the IST date changes: previous close, open, caches of expiries and contracts. */
  function syncDay(): void {
    const dn = dayOf(clock.now());
    if (dn === dayNum) return;
    dayNum = dn;
    today = dateOfDayNumber(dn);
    if (sessions.isTradingDate("NSE", today) && today !== sessionDate) {
      sessionDate = today;
      for (const { state } of spots.values()) rollSpotDay(state);
    }
    derivatives.reset();
  }

  /** After a declared holiday or special session: the expiry calendar and the listed contracts follow it. */
  function calendarChanged(): void {
    holidays.clear();
    for (const d of sessions.holidayDates("NSE")) holidays.add(d);
    derivatives.reset();
  }

  function notify(changed: { symbol: string; exchange: Exchange }[]): void {
    if (changed.length === 0) return;
    const errors: unknown[] = [];
    for (const listener of [...listeners]) {
      try {
        listener(changed);
      } catch (err) {
        errors.push(err);
      }
    }
    // Every listener runs even if one throws; the caller then sees the failures.
    if (errors.length > 0) throw new AggregateError(errors, "onTick listener failed");
  }

  /** Changed symbols for a set of moved underlyings: their listings plus recently watched derivatives. */
  function changedFor(moved: Set<string>): { symbol: string; exchange: Exchange }[] {
    const out: { symbol: string; exchange: Exchange }[] = [];
    for (const { instrument } of listings.values())
      if (moved.has(instrument.symbol)) out.push({ symbol: instrument.symbol, exchange: instrument.exchange });
    for (const [key, w] of watched) {
      if (seq - w.seq > WATCH_TTL_TICKS) watched.delete(key);
      else if (moved.has(w.underlying)) out.push({ symbol: w.symbol, exchange: w.exchange });
    }
    return out;
  }

  function tick(): void {
    syncDay();
    const now = clock.now();
    const dtYears = Math.min(Math.max(now - lastTickAt, tickIntervalMs), MAX_STEP_MS) / TRADING_YEAR_MS;
    lastTickAt = now;
    seq += 1;
    const moved = new Set<string>();
    for (const [symbol, entry] of spots) {
      if (!alwaysOpen && !sessions.isOpen(entry.state.seed.exchange, now)) continue;
      const before = entry.state.volume;
      stepSpot(entry.state, normalFrom(rng), dtYears, rng(), now, seq);
      recordTick(entry.recorded, now, entry.state.ltp, entry.state.volume - before);
      moved.add(symbol);
    }
    notify(changedFor(moved));
  }

  function spotEntry(underlying: string): SpotEntry {
    const entry = spots.get(underlying.toUpperCase());
    if (!entry) throw new ValidationError(`Unknown underlying ${underlying}`);
    return entry;
  }

  const queries = createMarketQueries({
    derivatives,
    settings: (u) => settings.get(u.toUpperCase()),
    spot: (u) => spots.get(u.toUpperCase()),
    listings: () => listings.values(),
    allSettings: () => settings.values(),
    r: RISK_FREE_RATE,
    seedHash,
  });

  function watch(symbol: string, exchange: Exchange, underlying: string): void {
    const key = `${exchange}|${symbol}`;
    const w = watched.get(key);
    if (w) w.seq = seq;
    else watched.set(key, { symbol, exchange, underlying, seq });
  }

  const view: MarketView = {
    clock,
    instrument(symbol, exchange) {
      syncDay();
      return listings.get(`${exchange}|${symbol}`)?.instrument ?? derivatives.resolve(symbol, exchange)?.instrument;
    },
    quote(symbol, exchange) {
      syncDay();
      const listing = listings.get(`${exchange}|${symbol}`);
      if (listing) return spotQuote(listing.entry.state, exchange, seedHash);
      const c = derivatives.resolve(symbol, exchange);
      if (!c) return undefined;
      watch(symbol, exchange, c.spec.settings.underlying);
      return derivatives.price(c).quote;
    },
    depth(symbol, exchange) {
      const q = view.quote(symbol, exchange);
      if (!q) return undefined;
      const listing = listings.get(`${exchange}|${symbol}`);
      if (listing) return depthOf(q, 0.05, 1, seedHash, listing.entry.state.symbolHash, seq);
      const c = derivatives.resolve(symbol, exchange)!;
      return depthOf(q, c.spec.settings.tickSize, c.spec.lotSize, seedHash, c.symbolHash, seq);
    },
    search(query, exchange) {
      syncDay();
      return queries.search(query, exchange);
    },
    instruments(exchange) {
      syncDay();
      return queries.instruments(exchange);
    },
    expiries(underlying, exchange, kind) {
      syncDay();
      return queries.expiries(underlying, exchange, kind);
    },
    optionChain(underlying, exchange, expiry, strikeCount) {
      syncDay();
      return queries.optionChain(underlying, exchange, expiry, strikeCount);
    },
    greeks(symbol, exchange, greekOpts) {
      syncDay();
      return queries.greeks(symbol, exchange, greekOpts);
    },
    history(symbol, exchange, interval, startDate, endDate) {
      syncDay();
      if (!isIsoDate(startDate) || !isIsoDate(endDate) || startDate > endDate) return undefined;
      return queries.history(symbol, exchange, interval, startDate, endDate);
    },
    intervals: () => ({ ...INTERVALS }),
    isOpen: (exchange) => alwaysOpen || sessions.isOpen(exchange, clock.now()),
    alwaysOpen: () => alwaysOpen,
    holidays: (year) => sessions.holidaysOfYear(year),
    timings: (date) => (isIsoDate(date) ? sessions.timings(date) : []),
    declareHoliday(day) {
      sessions.declareHoliday(day);
      calendarChanged();
    },
    declareSpecialSession(day) {
      sessions.declareSpecialSession(day);
      calendarChanged();
    },
    clearCalendar(date) {
      sessions.clearDeclared(date);
      calendarChanged();
    },
    declaredCalendar: () => sessions.declared(),
    onTick(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    setSpot(underlying, price) {
      syncDay();
      const entry = spotEntry(underlying);
      const now = clock.now();
      seq += 1;
      setSpotPrice(entry.state, price, now, seq);
      recordTick(entry.recorded, now, entry.state.ltp, 0);
      notify(changedFor(new Set([entry.state.seed.symbol])));
    },
    setVolatility(underlying, annualisedVol) {
      if (!Number.isFinite(annualisedVol) || annualisedVol <= 0 || annualisedVol > 5) {
        throw new ValidationError(`Volatility must be an annualised fraction in (0, 5], got ${annualisedVol}`);
      }
      const entry = spotEntry(underlying);
      entry.state.vol = annualisedVol;
      seq += 1;
      notify(changedFor(new Set([entry.state.seed.symbol])));
    },
    setExchangeFreeze(underlying, limit) {
      const current = settings.get(underlying.toUpperCase());
      if (!current) throw new ValidationError(`No derivatives are listed on ${underlying}`);
      if (limit === null) {
        exchangeFreeze.delete(current.underlying);
        return;
      }
      if (!Number.isSafeInteger(limit) || limit <= 1)
        throw new ValidationError(`The exchange's freeze limit must be an integer above 1, got ${limit}`);
      exchangeFreeze.set(current.underlying, limit);
    },
    enforcedFreezeQty(instrument) {
      return exchangeFreeze.get(instrument.underlying) ?? instrument.freezeQty;
    },
    overrideContract(underlying, values) {
      const current = settings.get(underlying.toUpperCase());
      if (!current) throw new ValidationError(`No derivatives are listed on ${underlying}`);
      for (const [name, v] of Object.entries(values)) {
        if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0))
          throw new ValidationError(`${name} must be a positive integer, got ${v}`);
      }
      const lotSize = values.lotSize ?? current.lotSize;
      settings.set(current.underlying, {
        ...current,
        lotSize,
        nextMonthLotSize: values.lotSize ?? current.nextMonthLotSize,
        freezeQty: values.freezeQty ?? current.freezeQty,
      });
      derivatives.reset(current.underlying);
    },
    setAlwaysOpen(open) {
      alwaysOpen = open;
    },
    holdPrices(hold) {
      pricesHeld = hold;
    },
    tick,
    stallContract(symbol, exchange, stall) {
      if (!view.instrument(symbol, exchange)) throw new ValidationError(`Unknown contract ${symbol} on ${exchange}`);
      if (stall) stalled.add(`${exchange}:${symbol}`);
      else stalled.delete(`${exchange}:${symbol}`);
    },
    isStalled: (symbol, exchange) => stalled.has(`${exchange}:${symbol}`),
    stalledContracts: () => [...stalled].sort(),
    jump(target, move) {
      syncDay();
      let entry: SpotEntry | undefined;
      if ("underlying" in target) entry = spotEntry(target.underlying);
      else {
        entry = listings.get(`${target.exchange}|${target.symbol}`)?.entry;
        const c = entry ? undefined : derivatives.resolve(target.symbol, target.exchange);
        if (c)
          throw new ValidationError(
            `${target.symbol} is a derivative: its price follows ${c.spec.settings.underlying}; jump that instead`,
          );
        if (!entry) throw new ValidationError(`Unknown contract ${target.symbol} on ${target.exchange}`);
      }
      const price = "to" in move ? move.to : entry.state.ltp * (1 + move.percent / 100);
      if (!Number.isFinite(price) || price <= 0)
        throw new ValidationError(`The price after the jump must be positive, got ${price}`);
      view.setSpot(entry.state.seed.symbol, price);
      return { symbol: entry.state.seed.symbol, price: entry.state.ltp };
    },
    start() {
      if (timer) return;
      lastTickAt = clock.now();
      timer = setInterval(() => {
        try {
          // Held prices: time passes but nothing moves (the next tick after release steps from now, not from then).
          // The stream keeps repeating the held quotes of open markets, as a live feed does while prices stand still,
          // so a held market is never mistaken for a silent one (docs/market-data.md "Stale data").
          if (pricesHeld) {
            lastTickAt = clock.now();
            const open = [...spots.keys()].filter(
              (symbol) => alwaysOpen || sessions.isOpen(spots.get(symbol)!.state.seed.exchange, lastTickAt),
            );
            notify(changedFor(new Set(open)));
            return;
          }
          tick();
        } catch (err) {
          // A failing listener must not kill the simulator's timer; it is reported and ticking goes on.
          console.error("market tick failed", err);
        }
      }, tickIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return view;
}
