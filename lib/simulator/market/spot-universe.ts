/**
 * Builds the quoted underlyings (indices and equities) of a market: their live states, the history sources
 * behind them, and the exchange listings (`NSE|SBIN`, `BSE|SBIN`, `NSE_INDEX|NIFTY`, ...) that point at them.
 */
import type { Instrument } from "@/lib/simulator/types";
import { dayNumber, nextTradingDay, previousTradingDay, sessionWindow } from "@/lib/trading/calendar";
import { EQUITY_SEEDS, INDEX_SEEDS, spotInstruments } from "./catalog";
import { candles, syntheticMinutes, type Bar, type SeriesSource } from "./history";
import { normalFrom } from "./prng";
import { createSpotState, type SpotState } from "./spot-book";

export interface SpotEntry {
  state: SpotState;
  source: SeriesSource;
  /** Minute bars recorded from live ticks (epoch ms of the minute → bar). */
  recorded: Map<number, Bar>;
  /** Synthetic daily opens/closes by day number. */
  dailyCache: Map<number, { open: number; close: number }>;
}

export interface SpotListing {
  entry: SpotEntry;
  instrument: Readonly<Instrument>;
}

export interface SpotUniverseInput {
  seedHash: number;
  /** The market's walk stream; one draw per underlying nudges its starting level. */
  rng: () => number;
  now: number;
  /** IST date of `now`. */
  today: string;
  holidays: ReadonlySet<string>;
  isTradingDate(date: string): boolean;
}

export function createSpotUniverse(input: SpotUniverseInput): {
  spots: Map<string, SpotEntry>;
  listings: Map<string, SpotListing>;
} {
  const tradingToday = input.isTradingDate(input.today);
  // The first live session is today when it trades; otherwise the next one, and the last session is synthetic.
  const anchorDate = tradingToday ? input.today : nextTradingDay(input.today, input.holidays);
  const spots = new Map<string, SpotEntry>();
  const listings = new Map<string, SpotListing>();
  for (const seed of [...INDEX_SEEDS, ...EQUITY_SEEDS]) {
    // The seed nudges each starting level by ~1 % so different seeds give different markets.
    const state = createSpotState({ ...seed, spot: seed.spot * Math.exp(0.01 * normalFrom(input.rng)) }, input.now);
    const recorded = new Map<number, Bar>();
    const source: SeriesSource = {
      seedHash: input.seedHash,
      symbolHash: state.symbolHash,
      vol: seed.vol,
      volumePerMinute: seed.kind === "EQ" ? 40_000 : 0,
      anchorDate,
      anchorClose: state.ltp,
      isTradingDate: input.isTradingDate,
      recorded,
    };
    const entry: SpotEntry = { state, source, recorded, dailyCache: new Map() };
    if (!tradingToday) showLastSession(entry, previousTradingDay(input.today, input.holidays), input.holidays);
    else fillSessionSoFar(entry, input.today, input.now);
    spots.set(seed.symbol, entry);
    for (const instrument of spotInstruments(seed)) {
      listings.set(`${instrument.exchange}|${instrument.symbol}`, { entry, instrument: Object.freeze(instrument) });
    }
  }
  return { spots, listings };
}

/**
 * Created mid-session: the minutes since 09:15 get synthetic bars ending at the starting price, and the quote's
 * open/high/low/volume are taken from them, so today's history and quote agree from the first request.
 */
function fillSessionSoFar(entry: SpotEntry, today: string, now: number): void {
  const { open, close } = sessionWindow(today);
  const minutes = Math.floor((Math.min(now, close) - open) / 60_000);
  if (minutes < 1) return;
  const s = entry.state;
  // Seeded from the day like a past day's path, but bridged to the starting price (which is also the open).
  const bars = syntheticMinutes(entry.source, dayNumber(today), s.ltp, s.ltp, minutes);
  for (const [t, b] of bars) {
    entry.recorded.set(t, b);
    s.high = Math.max(s.high, b.high);
    s.low = Math.min(s.low, b.low);
    s.volume += b.volume;
  }
  s.high = Math.round(s.high * 20) / 20;
  s.low = Math.round(s.low * 20) / 20;
}

/** Created on a closed day: quote the last session's synthetic candle, as a broker does over a weekend. */
function showLastSession(entry: SpotEntry, lastSession: string, holidays: ReadonlySet<string>): void {
  const days =
    candles(entry.source, entry.dailyCache, "D", previousTradingDay(lastSession, holidays), lastSession, 0.05) ?? [];
  if (days.length < 2) return;
  const last = days[days.length - 1];
  const s = entry.state;
  s.prevClose = days[0].close;
  s.open = last.open;
  s.high = Math.max(last.high, s.ltp);
  s.low = Math.min(last.low, s.ltp);
}
