/**
 * Fyers' symbol masters → MirrorDesk's instrument rows (docs/brokers/fyers.md "Instrument master"). Fyers publishes one
 * JSON master per segment (`NSE_FO_sym_master.json`, ...), an object keyed by ticker (`NSE:NIFTY26D0824500CE`). The
 * OpenAlgo symbol of a derivative is built from the row's underlying (`underSym`), expiry (`expiryDate`, epoch seconds
 * at 15:30 IST), strike (`strikePrice`, rupees) and option type (`optType`, `XX` for futures) — never by rewriting the
 * ticker, whose weekly and monthly spellings differ.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { MasterRow } from "@/lib/brokers/instruments";
import type { Exchange } from "@/lib/brokers/market-types";
import { istDateOf } from "@/lib/trading/calendar";
import { futureSymbol, optionSymbol } from "@/lib/trading/symbols";
import { OpenAlgoTransport, type TransportOptions } from "@/lib/brokers/openalgo/client";
import { BrokerUnavailableError } from "@/lib/errors";
import { transportError } from "./outcomes";
import { FYERS_PUBLIC_ROOT } from "./wire";

/** The masters the adapter loads: cash (equities, indices) and equity derivatives of NSE and BSE. */
export const MASTER_FILES = ["NSE_CM", "BSE_CM", "NSE_FO", "BSE_FO"] as const;

/** Fyers' index names where OpenAlgo's differ. */
const INDEX_SYMBOLS: Readonly<Record<string, string>> = { NIFTY50: "NIFTY", NIFTYBANK: "BANKNIFTY" };

const entrySchema = z.object({
  fyToken: z.coerce.string(),
  symTicker: z.string(),
  symDetails: z.string().default(""),
  minLotSize: z.coerce.number().int().positive(),
  tickSize: z.coerce.number().positive(),
  expiryDate: z.union([z.string(), z.number()]).nullish(),
  strikePrice: z.coerce.number().nullish(),
  optType: z.string().nullish(),
  underSym: z.string().nullish(),
  exchange: z.coerce.number().int(),
  segment: z.coerce.number().int(),
  exInstType: z.coerce.number().int(),
  qtyFreeze: z.union([z.string(), z.number()]).nullish(),
});
type Entry = z.infer<typeof entrySchema>;

/** Cash-segment instrument types: 0 equity (NSE, BSE), 4 and 50 BSE equity groups, 10 index. */
const EQUITY_TYPES: ReadonlySet<number> = new Set([0, 4, 50]);
const INDEX_TYPE = 10;

function freeze(v: Entry["qtyFreeze"]): number | null {
  const n = Number(v);
  // An empty or 1 freeze means "unknown" (as OpenAlgo's 1), not a limit of one unit.
  return Number.isInteger(n) && n > 1 ? n : null;
}

function derivative(e: Entry, file: string): MasterRow | undefined {
  const underlying = e.underSym?.trim().toUpperCase();
  const expirySeconds = Number(e.expiryDate);
  if (!underlying || !Number.isFinite(expirySeconds) || expirySeconds <= 0) return undefined;
  const expiry = istDateOf(expirySeconds * 1000);
  const exchange: Exchange = e.exchange === 12 ? "BFO" : "NFO";
  const type = e.optType === "CE" || e.optType === "PE" ? e.optType : null;
  if (type && !(e.strikePrice && e.strikePrice > 0)) return undefined;
  const strike = type ? new Decimal(String(e.strikePrice)) : null;
  return {
    symbol: type ? optionSymbol(underlying, expiry, strike!, type) : futureSymbol(underlying, expiry),
    exchange,
    name: underlying,
    brokerSymbol: e.symTicker,
    token: e.fyToken,
    instrumentType: type ?? "FUT",
    expiry,
    strike,
    lotSize: e.minLotSize,
    freezeQty: freeze(e.qtyFreeze),
    tickSize: new Decimal(String(e.tickSize)),
    brokerExchange: file,
    underlying,
    optionType: type,
  };
}

function cash(e: Entry, file: string): MasterRow | undefined {
  const bse = e.exchange === 12;
  const base = e.underSym?.trim().toUpperCase();
  if (!base) return undefined;
  let symbol: string;
  let exchange: Exchange;
  let instrumentType: string;
  if (e.exInstType === INDEX_TYPE) {
    symbol = INDEX_SYMBOLS[base] ?? base;
    exchange = bse ? "BSE_INDEX" : "NSE_INDEX";
    instrumentType = "INDEX";
  } else if (EQUITY_TYPES.has(e.exInstType)) {
    symbol = base;
    exchange = bse ? "BSE" : "NSE";
    instrumentType = "EQ";
  } else return undefined;
  return {
    symbol,
    exchange,
    name: e.symDetails || symbol,
    brokerSymbol: e.symTicker,
    token: e.fyToken,
    instrumentType,
    expiry: null,
    strike: null,
    lotSize: e.minLotSize,
    freezeQty: freeze(e.qtyFreeze),
    tickSize: new Decimal(String(e.tickSize)),
    brokerExchange: file,
    underlying: null,
    optionType: null,
  };
}

/**
 * The rows of one JSON master (`file` is its name, e.g. `NSE_FO`). Rows this product does not trade (stock options are
 * kept; currency, commodity and unreadable rows are skipped) are left out rather than failing the whole master.
 */
export function parseMaster(file: string, json: unknown): MasterRow[] {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return [];
  const out: MasterRow[] = [];
  for (const value of Object.values(json as Record<string, unknown>)) {
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) continue;
    const e = parsed.data;
    const row = e.segment === 11 ? derivative(e, file) : e.segment === 10 ? cash(e, file) : undefined;
    if (row) out.push(row);
  }
  return out;
}

/** Where the masters of an API root live: Fyers' public host for the real API, else under the given root. */
export function masterRoot(apiRoot: string): string {
  const u = new URL(apiRoot);
  return u.hostname.endsWith("fyers.in") ? FYERS_PUBLIC_ROOT : apiRoot.replace(/\/+$/, "");
}

// A full JSON master of NSE F&O runs to tens of MB.
const MASTER_MAX_BYTES = 512 * 1024 * 1024;

/** Downloads and parses the day's masters from `root` (public files: no token, no rate budget). */
export async function downloadMasters(root: string, options: TransportOptions = {}): Promise<MasterRow[]> {
  const http = new OpenAlgoTransport(root, { ...options, maxBodyBytes: MASTER_MAX_BYTES });
  try {
    const files = await Promise.all(
      MASTER_FILES.map(async (file) => {
        const out = await http.request("GET", `/sym_details/${file}_sym_master.json`, { Accept: "application/json" });
        if (out.kind === "failure") throw transportError(out);
        if (out.status !== 200 || out.body === undefined)
          throw new BrokerUnavailableError(`Fyers master ${file} answered HTTP ${out.status}`, "bad_response");
        return parseMaster(file, out.body);
      }),
    );
    return files.flat();
  } finally {
    http.close();
  }
}
