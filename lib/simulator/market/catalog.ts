/**
 * What the simulated exchange lists: the index and equity seeds, and how Instrument rows are built for them and
 * for derivatives (which are built lazily, on first use, from their symbol).
 */
import type { Exchange, Instrument } from "@/lib/simulator/types";
import type { InstrumentSettings } from "@/lib/trading/instruments";
import { formatExpiry, formatStrike, futureSymbol, optionSymbol, type OptionType } from "@/lib/trading/symbols";
import { hashString } from "./prng";

export interface SpotSeed {
  symbol: string;
  name: string;
  /** Quote exchange of the underlying itself. */
  exchange: "NSE_INDEX" | "BSE_INDEX" | "NSE";
  kind: "INDEX" | "EQ";
  /** Starting price in rupees (the previous close of the first simulated day). */
  spot: number;
  /** Annualised volatility (fraction). */
  vol: number;
  token: string;
  /** BSE scrip code: equities are listed on BSE too and share the NSE price. */
  bseToken?: string;
}

/** Index levels approximately as of late 2026; vols roughly the indices' realised intraday vols. */
export const INDEX_SEEDS: readonly SpotSeed[] = [
  { symbol: "NIFTY", name: "NIFTY", exchange: "NSE_INDEX", kind: "INDEX", spot: 26000, vol: 0.12, token: "26000" },
  {
    symbol: "BANKNIFTY",
    name: "BANKNIFTY",
    exchange: "NSE_INDEX",
    kind: "INDEX",
    spot: 59000,
    vol: 0.14,
    token: "26009",
  },
  {
    symbol: "FINNIFTY",
    name: "FINNIFTY",
    exchange: "NSE_INDEX",
    kind: "INDEX",
    spot: 27500,
    vol: 0.13,
    token: "26037",
  },
  {
    symbol: "MIDCPNIFTY",
    name: "MIDCPNIFTY",
    exchange: "NSE_INDEX",
    kind: "INDEX",
    spot: 13500,
    vol: 0.17,
    token: "26074",
  },
  { symbol: "SENSEX", name: "SENSEX", exchange: "BSE_INDEX", kind: "INDEX", spot: 85000, vol: 0.12, token: "1" },
];

export const EQUITY_SEEDS: readonly SpotSeed[] = [
  {
    symbol: "SBIN",
    name: "STATE BANK OF INDIA",
    exchange: "NSE",
    kind: "EQ",
    spot: 812.5,
    vol: 0.24,
    token: "3045",
    bseToken: "500112",
  },
  {
    symbol: "RELIANCE",
    name: "RELIANCE INDUSTRIES",
    exchange: "NSE",
    kind: "EQ",
    spot: 1402,
    vol: 0.22,
    token: "2885",
    bseToken: "500325",
  },
  {
    symbol: "INFY",
    name: "INFOSYS",
    exchange: "NSE",
    kind: "EQ",
    spot: 1530,
    vol: 0.24,
    token: "1594",
    bseToken: "500209",
  },
  {
    symbol: "TCS",
    name: "TATA CONSULTANCY SERVICES",
    exchange: "NSE",
    kind: "EQ",
    spot: 3420,
    vol: 0.21,
    token: "11536",
    bseToken: "532540",
  },
  {
    symbol: "HDFCBANK",
    name: "HDFC BANK",
    exchange: "NSE",
    kind: "EQ",
    spot: 985,
    vol: 0.2,
    token: "1333",
    bseToken: "500180",
  },
  {
    symbol: "ICICIBANK",
    name: "ICICI BANK",
    exchange: "NSE",
    kind: "EQ",
    spot: 1385,
    vol: 0.21,
    token: "4963",
    bseToken: "532174",
  },
  {
    symbol: "AXISBANK",
    name: "AXIS BANK",
    exchange: "NSE",
    kind: "EQ",
    spot: 1210,
    vol: 0.24,
    token: "5900",
    bseToken: "532215",
  },
  { symbol: "ITC", name: "ITC", exchange: "NSE", kind: "EQ", spot: 412, vol: 0.19, token: "1660", bseToken: "500875" },
  {
    symbol: "LT",
    name: "LARSEN & TOUBRO",
    exchange: "NSE",
    kind: "EQ",
    spot: 3950,
    vol: 0.22,
    token: "11483",
    bseToken: "500510",
  },
  {
    symbol: "M&M",
    name: "MAHINDRA & MAHINDRA",
    exchange: "NSE",
    kind: "EQ",
    spot: 3610,
    vol: 0.26,
    token: "2031",
    bseToken: "500520",
  },
  {
    symbol: "BAJAJ-AUTO",
    name: "BAJAJ AUTO",
    exchange: "NSE",
    kind: "EQ",
    spot: 8900,
    vol: 0.23,
    token: "16669",
    bseToken: "532977",
  },
];

const BR_EXCHANGE: Partial<Record<Exchange, string>> = {
  NSE: "NSE",
  BSE: "BSE",
  NFO: "NFO",
  BFO: "BFO",
  NSE_INDEX: "NSE_INDEX",
  BSE_INDEX: "BSE_INDEX",
};

/** Instrument rows of an index or equity seed (equities on NSE and BSE). */
export function spotInstruments(seed: SpotSeed): Instrument[] {
  const base = {
    symbol: seed.symbol,
    name: seed.name,
    instrumenttype: seed.kind,
    expiry: "",
    expiryTs: null,
    strike: -1,
    lotsize: 1,
    freezeQty: 1,
    tickSize: 0.05,
    underlying: seed.symbol,
  } as const;
  if (seed.kind === "INDEX") {
    return [
      {
        ...base,
        brsymbol: seed.symbol,
        exchange: seed.exchange,
        brexchange: BR_EXCHANGE[seed.exchange]!,
        token: seed.token,
      },
    ];
  }
  const rows: Instrument[] = [
    { ...base, brsymbol: `${seed.symbol}-EQ`, exchange: "NSE", brexchange: "NSE", token: seed.token },
  ];
  if (seed.bseToken)
    rows.push({ ...base, brsymbol: seed.symbol, exchange: "BSE", brexchange: "BSE", token: seed.bseToken });
  return rows;
}

export interface DerivativeSpec {
  settings: Readonly<InstrumentSettings>;
  /** ISO date of expiry. */
  expiry: string;
  expiryTs: number;
  kind: OptionType | "FUT";
  /** Rupees; ignored for futures. */
  strike: number;
  lotSize: number;
}

/** A stable pseudo token per contract (OpenAlgo tokens are exchange-assigned numbers shown as strings). */
function derivativeToken(symbol: string): string {
  return String(100_000 + (hashString(symbol) % 900_000));
}

export function derivativeSymbol(spec: Pick<DerivativeSpec, "settings" | "expiry" | "kind" | "strike">): string {
  return spec.kind === "FUT"
    ? futureSymbol(spec.settings.underlying, spec.expiry)
    : optionSymbol(spec.settings.underlying, spec.expiry, spec.strike, spec.kind);
}

export function derivativeInstrument(spec: DerivativeSpec): Instrument {
  const symbol = derivativeSymbol(spec);
  const u = spec.settings.underlying;
  const [dd, mon, yy] = formatExpiry(spec.expiry, "DD-MMM-YY").split("-");
  const brsymbol =
    spec.kind === "FUT"
      ? `${u} FUT ${dd} ${mon} ${yy}`
      : `${u} ${formatStrike(spec.strike)} ${spec.kind} ${dd} ${mon} ${yy}`;
  return {
    symbol,
    brsymbol,
    name: u,
    exchange: spec.settings.exchange,
    brexchange: BR_EXCHANGE[spec.settings.exchange]!,
    token: derivativeToken(symbol),
    instrumenttype: spec.kind,
    expiry: formatExpiry(spec.expiry, "DD-MMM-YY"),
    expiryTs: spec.expiryTs,
    strike: spec.kind === "FUT" ? -1 : spec.strike,
    lotsize: spec.lotSize,
    freezeQty: spec.settings.freezeQty,
    tickSize: spec.settings.tickSize,
    underlying: u,
  };
}
