/**
 * Reference data from the day's Dhan master (docs/brokers/dhan.md "Reference data"): symbol info, search, expiries,
 * and the option chain assembled from the master's contracts of one expiry plus one market-quote call.
 */
import Decimal from "decimal.js";
import type { InstrumentMaster, MasterRow } from "@/lib/brokers/instruments";
import type { Exchange, OptionChain, OptionChainRow, OptionLeg } from "@/lib/brokers/market-types";
import { BrokerRejectedError } from "@/lib/errors";
import { type DhanQuote, toQuote } from "./map";

/** Derivative exchange of an index quote exchange. */
const DERIVATIVES_OF: Partial<Record<Exchange, Exchange>> = { NSE_INDEX: "NFO", BSE_INDEX: "BFO" };

/** The index row and the option rows of one expiry, for the chain's quote call. */
export function chainContracts(
  master: InstrumentMaster,
  underlying: string,
  indexExchange: Exchange,
  expiry: string,
): { index: MasterRow; options: MasterRow[] } {
  const index = master.symbol(underlying.toUpperCase(), indexExchange);
  const fno = DERIVATIVES_OF[indexExchange];
  if (!index || !fno) throw new BrokerRejectedError(`Dhan lists no index ${underlying} on ${indexExchange}`);
  const options = master.derivatives(underlying, fno).filter((r) => r.optionType !== null && r.expiry === expiry);
  if (options.length === 0) throw new BrokerRejectedError(`Dhan lists no ${underlying} options expiring ${expiry}`);
  return { index, options };
}

function leg(row: MasterRow, label: string, q: DhanQuote | undefined): OptionLeg {
  const quote = q ? toQuote(q) : undefined;
  return {
    symbol: row.symbol,
    label,
    ltp: quote?.ltp ?? new Decimal(0),
    bid: quote?.bid ?? null,
    ask: quote?.ask ?? null,
    volume: quote?.volume ?? 0,
    oi: quote?.oi ?? 0,
    lotSize: row.lotSize,
    tickSize: row.tickSize,
  };
}

/** The chain around ATM (the listed strike nearest the index's last price); labels as ITMn/ATM/OTMn per leg. */
export function buildChain(
  underlying: string,
  expiry: string,
  indexLtp: Decimal,
  options: readonly MasterRow[],
  quotes: Map<string, DhanQuote>,
  strikeCount?: number,
): OptionChain {
  const strikes = [...new Set(options.map((r) => r.strike!.toString()))].map((s) => new Decimal(s));
  strikes.sort((a, b) => a.comparedTo(b));
  let atmIndex = 0;
  for (let i = 1; i < strikes.length; i++)
    if (strikes[i].minus(indexLtp).abs().lt(strikes[atmIndex].minus(indexLtp).abs())) atmIndex = i;
  const from = strikeCount === undefined ? 0 : Math.max(0, atmIndex - strikeCount);
  const to = strikeCount === undefined ? strikes.length : Math.min(strikes.length, atmIndex + strikeCount + 1);
  const rows: OptionChainRow[] = [];
  for (let i = from; i < to; i++) {
    const k = strikes[i];
    const off = i - atmIndex;
    const find = (t: "CE" | "PE") => options.find((r) => r.optionType === t && r.strike!.eq(k));
    const label = (t: "CE" | "PE") => {
      if (off === 0) return "ATM";
      // For a call, strikes below ATM are in the money; for a put, those above.
      const itm = t === "CE" ? off < 0 : off > 0;
      return `${itm ? "ITM" : "OTM"}${Math.abs(off)}`;
    };
    const ce = find("CE");
    const pe = find("PE");
    rows.push({
      strike: k,
      ce: ce ? leg(ce, label("CE"), quotes.get(`${ce.brokerExchange}:${ce.token}`)) : null,
      pe: pe ? leg(pe, label("PE"), quotes.get(`${pe.brokerExchange}:${pe.token}`)) : null,
    });
  }
  return { underlying: underlying.toUpperCase(), underlyingLtp: indexLtp, expiry, atmStrike: strikes[atmIndex], rows };
}
