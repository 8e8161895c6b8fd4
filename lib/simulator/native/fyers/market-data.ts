/**
 * The simulated Fyers data API (docs/brokers/fyers.md "Market data, option chain and expiries"): `GET /data/quotes?symbols=` and
 * `GET /data/depth?symbol=&ohlcv_flag=1` answers from the engine's quotes and depth, and the symbol master downloads.
 */
import type { RouteResult } from "@/lib/simulator/types";
import { csvLine, type FyersSymbol, type FyersSymbology } from "./symbols";

type Row = Record<string, unknown>;
const n = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));
const round2 = (v: number): number => Math.round(v * 100) / 100;

export function quoteItem(s: FyersSymbol, q: Row, nowMs: number): Row {
  const lp = n(q.ltp);
  const prev = n(q.prev_close);
  const ch = round2(lp - prev);
  return {
    n: s.entry.symTicker,
    s: "ok",
    v: {
      ch,
      chp: prev ? round2((ch / prev) * 100) : 0,
      lp,
      spread: round2(n(q.ask) - n(q.bid)),
      ask: n(q.ask),
      bid: n(q.bid),
      open_price: n(q.open),
      high_price: n(q.high),
      low_price: n(q.low),
      prev_close_price: prev,
      volume: n(q.volume),
      short_name: s.entry.symTicker.slice(4),
      exchange: s.entry.exchangeName,
      description: s.entry.symTicker,
      original_name: s.entry.symTicker,
      symbol: s.entry.symTicker,
      fyToken: s.entry.fyToken,
      tt: String(Math.floor(nowMs / 1000)),
      atp: lp,
    },
  };
}

export function unknownQuoteItem(ticker: string): Row {
  return { n: ticker, s: "error", v: { errmsg: "Invalid symbol" } };
}

const level = (l: Row) => ({
  price: n(l.price),
  volume: n(l.quantity),
  ord: Math.max(1, Math.ceil(n(l.quantity) / 75)),
});

export function depthEntry(s: FyersSymbol, d: Row): Row {
  const lp = n(d.ltp);
  const prev = n(d.prev_close);
  const bids = (Array.isArray(d.bids) ? (d.bids as Row[]) : []).map(level);
  const asks = (Array.isArray(d.asks) ? (d.asks as Row[]) : []).map(level);
  return {
    totalbuyqty: n(d.totalbuyqty),
    totalsellqty: n(d.totalsellqty),
    bids,
    ask: asks,
    o: n(d.open),
    h: n(d.high),
    l: n(d.low),
    c: prev,
    chp: prev ? round2(((lp - prev) / prev) * 100) : 0,
    tick_Size: s.entry.tickSize,
    ch: round2(lp - prev),
    ltq: n(d.ltq),
    ltt: 0,
    ltp: lp,
    v: n(d.volume),
    atp: lp,
    lower_ckt: round2(prev * 0.6),
    upper_ckt: round2(prev * 1.4),
    expiry: s.entry.expiryDate,
    oi: n(d.oi),
    oiflag: false,
    pdoi: n(d.oi),
    oipercent: 0,
  };
}

const MASTER = /^\/sym_details\/(NSE_FO|BSE_FO|NSE_CM|BSE_CM)(\.csv|_sym_master\.json)$/;

/** A symbol master download (`/sym_details/NSE_FO.csv`, `/sym_details/NSE_FO_sym_master.json`), or undefined. */
export function masterDownload(path: string, sym: FyersSymbology): (RouteResult & { contentType: string }) | undefined {
  const m = MASTER.exec(path);
  if (!m) return undefined;
  const rows = sym.all.filter((s) => s.file === m[1]);
  if (m[2] === ".csv")
    return { status: 200, body: rows.map((s) => csvLine(s.entry)).join("\n") + "\n", contentType: "text/csv" };
  const obj: Record<string, unknown> = {};
  for (const s of rows) obj[s.entry.symTicker] = s.entry;
  return { status: 200, body: JSON.stringify(obj), contentType: "application/json" };
}
