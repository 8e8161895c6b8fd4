/**
 * Upstox's BOD instrument master (docs/brokers/upstox.md "Instrument master"): the gzipped JSON array
 * `complete.json.gz`, parsed into MasterRows whose symbols are MirrorDesk's (built from underlying, expiry, strike and
 * option type, never from Upstox's trading symbol). Units: `tick_size` in paise, `strike_price` in rupees, `expiry`
 * in epoch ms at the end of the IST expiry day. The row's `token` is Upstox's `instrument_key` (`NSE_FO|52910`).
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { gunzipSync } from "node:zlib";
import Decimal from "decimal.js";
import { z } from "zod";
import { dailyMaster, type InstrumentMaster, type MasterRow } from "@/lib/brokers/instruments";
import type { Exchange } from "@/lib/brokers/market-types";
import { BrokerUnavailableError } from "@/lib/errors";
import { istDateOf } from "@/lib/trading/calendar";
import { futureSymbol, optionSymbol } from "@/lib/trading/symbols";
import { isUpstoxRoot } from "./sdk-client";

/** Upstox segment → OpenAlgo exchange. Segments not listed (NSE_COM, ...) are skipped. */
export const EXCHANGE_OF_SEGMENT: Readonly<Record<string, Exchange>> = {
  NSE_EQ: "NSE",
  BSE_EQ: "BSE",
  NSE_FO: "NFO",
  BSE_FO: "BFO",
  NSE_INDEX: "NSE_INDEX",
  BSE_INDEX: "BSE_INDEX",
  MCX_FO: "MCX",
  NCD_FO: "CDS",
  BCD_FO: "BCD",
};

const MASTER_PATH = "/market-quote/instruments/exchange/complete.json.gz";
const UPSTOX_ASSETS = "https://assets.upstox.com";

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform((v) => Number(v));
const masterRow = z.looseObject({
  segment: z.string(),
  name: z.string().nullish(),
  instrument_type: z.string(),
  instrument_key: z.string(),
  exchange_token: z.union([z.string(), z.number()]).transform(String),
  trading_symbol: z.string(),
  lot_size: num.nullish(),
  freeze_quantity: num.nullish(),
  tick_size: num.nullish(),
  expiry: num.nullish(),
  strike_price: num.nullish(),
  underlying_symbol: z.string().nullish(),
  weekly: z.boolean().nullish(),
});
export type UpstoxMasterRow = z.infer<typeof masterRow>;

const DERIVATIVE_TYPES = new Set(["FUT", "CE", "PE"]);

/** One BOD row as a MasterRow, or null for segments and instrument types MirrorDesk does not trade. */
export function toMasterRow(raw: unknown): MasterRow | null {
  const parsed = masterRow.safeParse(raw);
  if (!parsed.success) return null;
  const r = parsed.data;
  const exchange = EXCHANGE_OF_SEGMENT[r.segment];
  if (!exchange) return null;
  const tick = new Decimal(r.tick_size ?? 5).div(100);
  const base = {
    exchange,
    brokerSymbol: r.trading_symbol,
    token: r.instrument_key,
    brokerExchange: r.segment,
    instrumentType: r.instrument_type,
    tickSize: tick,
  };
  if (r.instrument_type === "INDEX")
    return {
      ...base,
      symbol: r.trading_symbol.replace(/\s+/g, "").toUpperCase(),
      name: r.name ?? r.trading_symbol,
      expiry: null,
      strike: null,
      lotSize: 1,
      freezeQty: null,
      underlying: null,
      optionType: null,
    };
  if (!DERIVATIVE_TYPES.has(r.instrument_type)) {
    // Equities: Upstox's trading symbol is the exchange's, as OpenAlgo's is.
    return {
      ...base,
      symbol: r.trading_symbol,
      name: r.name ?? r.trading_symbol,
      expiry: null,
      strike: null,
      lotSize: r.lot_size ?? 1,
      freezeQty: r.freeze_quantity ? Math.trunc(r.freeze_quantity) : null,
      underlying: null,
      optionType: null,
    };
  }
  if (!r.underlying_symbol || !r.expiry) return null;
  const underlying = r.underlying_symbol.toUpperCase();
  const expiry = istDateOf(r.expiry);
  const optionType = r.instrument_type === "FUT" ? null : (r.instrument_type as "CE" | "PE");
  const strike = optionType ? new Decimal(r.strike_price ?? 0) : null;
  if (strike !== null && !strike.gt(0)) return null;
  return {
    ...base,
    symbol: optionType ? optionSymbol(underlying, expiry, strike!, optionType) : futureSymbol(underlying, expiry),
    name: underlying,
    expiry,
    strike,
    lotSize: r.lot_size ?? 1,
    freezeQty: r.freeze_quantity ? Math.trunc(r.freeze_quantity) : null,
    underlying,
    optionType,
  };
}

export function parseMaster(rows: unknown): MasterRow[] {
  if (!Array.isArray(rows))
    throw new BrokerUnavailableError("Upstox's instrument master is not a list", "bad_response");
  const out: MasterRow[] = [];
  for (const raw of rows) {
    const row = toMasterRow(raw);
    if (row) out.push(row);
  }
  return out;
}

/** Where the master lives: Upstox's assets host for its own API root, else the same host (the simulator). */
export function masterUrl(hostUrl: string): string {
  const root = hostUrl.replace(/\/+$/, "");
  return (isUpstoxRoot(root) ? UPSTOX_ASSETS : root) + MASTER_PATH;
}

/** Downloads a file (no credentials: the master is public). */
function download(url: string, lookup: LookupFunction | undefined, timeoutMs: number): Promise<Buffer> {
  const get = url.startsWith("https:") ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { lookup, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new BrokerUnavailableError(`Instrument master download answered ${res.statusCode}`, "server_error"));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks)));
      res.on("error", () => reject(new BrokerUnavailableError("Instrument master download dropped", "unreachable")));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => reject(new BrokerUnavailableError("Cannot download Upstox's instrument master")));
  });
}

/** Today's master of a host, downloaded once per IST day per process. */
export function upstoxMaster(
  hostUrl: string,
  options: { lookup?: LookupFunction; timeoutMs?: number } = {},
): Promise<InstrumentMaster> {
  const url = masterUrl(hostUrl);
  return dailyMaster(`upstox:${url}`, async () => {
    const gz = await download(url, options.lookup, options.timeoutMs ?? 60_000);
    let rows: unknown;
    try {
      rows = JSON.parse(gunzipSync(gz).toString("utf8"));
    } catch {
      throw new BrokerUnavailableError("Upstox's instrument master does not unpack", "bad_response");
    }
    return parseMaster(rows);
  });
}
