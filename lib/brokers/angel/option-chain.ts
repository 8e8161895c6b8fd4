/**
 * An option chain from the day's master (strikes of one expiry) and Angel's FULL quotes (docs/brokers/angel.md
 * "Option chain"): ATM is the strike nearest the index's last price.
 */
import Decimal from "decimal.js";
import type { InstrumentMaster, MasterRow } from "@/lib/brokers/instruments";
import type { Exchange, OptionChain, OptionChainRow, OptionLeg } from "@/lib/brokers/market-types";
import { BrokerRejectedError } from "@/lib/errors";
import { type FullQuote, mapQuote } from "./map-market";

const DERIVATIVES: Partial<Record<Exchange, Exchange>> = { NSE_INDEX: "NFO", BSE_INDEX: "BFO" };

interface Quoter {
  fullQuotes(rows: readonly { brokerExchange: string; token: string }[]): Promise<FullQuote[]>;
}

export async function buildOptionChain(
  quoter: Quoter,
  master: InstrumentMaster,
  q: { underlying: string; exchange: Exchange; expiry: string; strikeCount?: number },
): Promise<OptionChain> {
  const index = master.symbol(q.underlying.toUpperCase(), q.exchange);
  const fo = DERIVATIVES[q.exchange];
  if (!index || !fo) throw new BrokerRejectedError(`No index ${q.underlying} on ${q.exchange}`);
  const legs = master.derivatives(q.underlying, fo).filter((r) => r.expiry === q.expiry && r.optionType !== null);
  const strikes = [...new Set(legs.map((r) => r.strike!.toNumber()))].sort((a, b) => a - b);
  if (strikes.length === 0) throw new BrokerRejectedError(`No ${q.underlying} options expiring ${q.expiry}`);
  const [spot] = await quoter.fullQuotes([index]);
  const ltp = new Decimal(spot ? mapQuote(spot).ltp : 0);
  let atm = 0;
  for (let i = 1; i < strikes.length; i++) if (ltp.minus(strikes[i]).abs().lt(ltp.minus(strikes[atm]).abs())) atm = i;
  const from = q.strikeCount === undefined ? 0 : Math.max(0, atm - q.strikeCount);
  const to = q.strikeCount === undefined ? strikes.length : Math.min(strikes.length, atm + q.strikeCount + 1);
  const chosen = strikes.slice(from, to);
  const rows = legs.filter((r) => chosen.includes(r.strike!.toNumber()));
  const quotes = await quoter.fullQuotes(rows);
  const byToken = new Map(quotes.map((x) => [`${x.exchange}:${x.symbolToken}`, x]));
  const atmStrike = strikes[atm];
  const leg = (r: MasterRow | undefined, i: number): OptionLeg | null => {
    if (!r) return null;
    const fq = byToken.get(`${r.brokerExchange}:${r.token}`);
    const quote = fq ? mapQuote(fq) : null;
    const away = i - atm;
    const itm = r.optionType === "CE" ? away < 0 : away > 0;
    return {
      symbol: r.symbol,
      label: away === 0 ? "ATM" : `${itm ? "ITM" : "OTM"}${Math.abs(away)}`,
      ltp: quote?.ltp ?? new Decimal(0),
      bid: quote?.bid ?? null,
      ask: quote?.ask ?? null,
      volume: quote?.volume ?? 0,
      oi: quote?.oi ?? 0,
      lotSize: r.lotSize,
      tickSize: r.tickSize,
    };
  };
  const chainRows: OptionChainRow[] = chosen.map((strike) => {
    const i = strikes.indexOf(strike);
    const at = (t: "CE" | "PE") => rows.find((r) => r.strike!.eq(strike) && r.optionType === t);
    return { strike: new Decimal(strike), ce: leg(at("CE"), i), pe: leg(at("PE"), i) };
  });
  return {
    underlying: q.underlying.toUpperCase(),
    underlyingLtp: ltp,
    expiry: q.expiry,
    atmStrike: new Decimal(atmStrike),
    rows: chainRows,
  };
}
