/**
 * The figures an option-chain view derives from its live quotes (docs/market-data.md "Option chain"): the forward
 * of the expiry, each contract's implied volatility and greeks (Black-76), put–call ratios and max pain. Pure, so the
 * browser recomputes the whole view from raw quotes whenever any of them changes and every figure agrees with the
 * same forward.
 */
import Decimal from "decimal.js";
import {
  black76Greeks,
  carryForward,
  impliedVol,
  parityForward,
  yearsToExpiry,
  type Greeks,
  type OptionSide,
} from "./black76";
import { maxPain, putCallRatios } from "./option-chain-stats";

/**
 * Annual risk-free rate, continuously compounded: about the 91-day Treasury bill yield. With the parity forward it
 * only discounts premiums, so a point of error moves a weekly option's IV by far less than its bid–ask spread.
 */
export const RISK_FREE_RATE = 0.055;

/** One contract's raw live figures (decimal strings; null when the feed has not sent them). */
export interface ContractFigures {
  ltp: string | null;
  bid: string | null;
  ask: string | null;
  volume: number | null;
  oi: number | null;
}

export interface ChainRowFigures {
  strike: string;
  ce: ContractFigures | null;
  pe: ContractFigures | null;
}

export interface LegAnalytics extends Partial<Greeks> {
  /** Annualised implied volatility (0.142 = 14.2 %); null when no volatility fits the price. */
  iv: number | null;
  /** The premium the IV was solved from: the bid–ask mid when both sides are quoted, else the LTP. */
  priceUsed: "mid" | "ltp" | null;
}

export interface ChainAnalytics {
  /** Forward of the expiry used for every contract; null when neither parity nor the spot gives one. */
  forward: number | null;
  forwardFrom: "parity" | "spot" | null;
  /** Years to expiry (15:30 IST on the expiry date). */
  t: number;
  rows: { strike: string; ce: LegAnalytics | null; pe: LegAnalytics | null }[];
  pcr: { oi: number | null; volume: number | null };
  maxPain: string | null;
}

const num = (s: string | null | undefined): number | null => {
  if (s === null || s === undefined) return null;
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? n : null;
};

/** The premium a contract is valued at: the mid of a two-sided quote, else its last trade. */
export function premiumOf(c: ContractFigures | null): { price: number; from: "mid" | "ltp" } | null {
  if (!c) return null;
  const bid = num(c.bid);
  const ask = num(c.ask);
  if (bid !== null && ask !== null && ask >= bid) return { price: (bid + ask) / 2, from: "mid" };
  const ltp = num(c.ltp);
  return ltp === null ? null : { price: ltp, from: "ltp" };
}

function legAnalytics(
  c: ContractFigures | null,
  side: OptionSide,
  strike: number,
  forward: number | null,
  t: number,
  r: number,
): LegAnalytics | null {
  if (!c) return null;
  const premium = premiumOf(c);
  if (!premium || forward === null) return { iv: null, priceUsed: premium?.from ?? null };
  const iv = impliedVol(premium.price, { forward, strike, t, r, side });
  if (iv === null) return { iv: null, priceUsed: premium.from };
  return { iv, priceUsed: premium.from, ...black76Greeks({ forward, strike, t, r, sigma: iv, side }) };
}

/**
 * Derives the view's figures. The forward comes from put–call parity at the ATM strike (the market's own forward,
 * carrying whatever dividends and rates it prices in); when the ATM call or put has no price, from the spot carried
 * at the risk-free rate.
 */
export function chainAnalytics(input: {
  rows: readonly ChainRowFigures[];
  atm: string;
  spot: string | null;
  expiry: string;
  nowMs: number;
  r?: number;
}): ChainAnalytics {
  const r = input.r ?? RISK_FREE_RATE;
  const t = yearsToExpiry(input.nowMs, input.expiry);
  const atmRow = input.rows.find((row) => new Decimal(row.strike).eq(input.atm));
  const call = premiumOf(atmRow?.ce ?? null);
  const put = premiumOf(atmRow?.pe ?? null);
  const spot = num(input.spot);
  let forward: number | null = null;
  let forwardFrom: ChainAnalytics["forwardFrom"] = null;
  if (call && put) {
    forward = parityForward(Number(input.atm), call.price, put.price, r, t);
    forwardFrom = "parity";
  } else if (spot !== null) {
    forward = carryForward(spot, r, t);
    forwardFrom = "spot";
  }
  if (forward !== null && !(forward > 0)) {
    forward = null;
    forwardFrom = null;
  }
  const rows = input.rows.map((row) => {
    const k = Number(row.strike);
    return {
      strike: row.strike,
      ce: legAnalytics(row.ce, "CE", k, forward, t, r),
      pe: legAnalytics(row.pe, "PE", k, forward, t, r),
    };
  });
  const stats = input.rows.map((row) => ({
    strike: new Decimal(row.strike),
    ceOi: row.ce?.oi ?? null,
    peOi: row.pe?.oi ?? null,
    ceVolume: row.ce?.volume ?? null,
    peVolume: row.pe?.volume ?? null,
  }));
  return {
    forward,
    forwardFrom,
    t,
    rows,
    pcr: putCallRatios(stats),
    maxPain: maxPain(stats)?.strike.toString() ?? null,
  };
}
