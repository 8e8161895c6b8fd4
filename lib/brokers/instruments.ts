/**
 * A direct broker's instrument master, indexed both ways (docs/direct-brokers.md "Symbols"): MirrorDesk speaks
 * OpenAlgo's symbols (`NIFTY08DEC2624500CE` on `NFO`) everywhere; each broker has its own symbol, token and segment
 * code. Each connector parses its broker's daily download into `MasterRow`s — the OpenAlgo symbol built from the
 * row's underlying, expiry, strike and option type, never from the broker's symbol text — and `dailyMaster` keeps one
 * index per broker host per IST trading day, loaded once (concurrent callers share the download).
 */
import type { Exchange, InstrumentKind, SymbolInfo } from "@/lib/brokers/market-types";
import { istDateOf } from "@/lib/trading/calendar";
import { DEFAULT_INSTRUMENT_SETTINGS } from "@/lib/trading/instruments";

/** One instrument of a broker's master, in MirrorDesk's terms plus what the broker needs to trade it. */
export interface MasterRow extends SymbolInfo {
  /** The broker's segment/exchange code for this row (`NFO`, `NSE_FO`, `NSE_FNO`, ...). */
  brokerExchange: string;
  /** For derivatives: the underlying as OpenAlgo names it (`NIFTY`); null otherwise. */
  underlying: string | null;
  optionType: "CE" | "PE" | null;
}

const key = (symbol: string, exchange: string) => `${exchange}:${symbol}`;

/** The derivative exchange of an index's quote exchange. */
const DERIVATIVES_OF: Partial<Record<Exchange, Exchange>> = { NSE_INDEX: "NFO", BSE_INDEX: "BFO" };

/**
 * The largest quantity per order of an index's derivatives, from the product's instrument settings, for brokers whose
 * master does not carry one (Kite, Angel); null for other underlyings (unknown, not a limit).
 */
export function seededFreezeQty(underlying: string): number | null {
  return (
    (DEFAULT_INSTRUMENT_SETTINGS as Record<string, { freezeQty: number } | undefined>)[underlying]?.freezeQty ?? null
  );
}

/** A master row as the contract's SymbolInfo (without the broker-side extras). */
export function symbolInfoOf(row: MasterRow): SymbolInfo {
  const { symbol, exchange, name, brokerSymbol, token, instrumentType, expiry, strike, lotSize, freezeQty, tickSize } =
    row;
  return { symbol, exchange, name, brokerSymbol, token, instrumentType, expiry, strike, lotSize, freezeQty, tickSize };
}

export class InstrumentMaster {
  private readonly bySymbol = new Map<string, MasterRow>();
  private readonly byToken = new Map<string, MasterRow>();
  private readonly byBroker = new Map<string, MasterRow>();
  private readonly byUnderlying = new Map<string, MasterRow[]>();

  constructor(
    readonly rows: readonly MasterRow[],
    /** The IST trading day the master was downloaded for. */
    readonly day: string,
  ) {
    for (const row of rows) {
      this.bySymbol.set(key(row.symbol, row.exchange), row);
      this.byToken.set(key(row.token, row.brokerExchange), row);
      this.byBroker.set(key(row.brokerSymbol, row.brokerExchange), row);
      if (row.underlying) {
        const k = key(row.underlying, row.exchange);
        const list = this.byUnderlying.get(k);
        if (list) list.push(row);
        else this.byUnderlying.set(k, [row]);
      }
    }
  }

  /** The row of an OpenAlgo symbol on an OpenAlgo exchange. */
  symbol(symbol: string, exchange: Exchange): MasterRow | undefined {
    return this.bySymbol.get(key(symbol, exchange));
  }

  /** The row of a broker token within the broker's segment. */
  token(token: string, brokerExchange: string): MasterRow | undefined {
    return this.byToken.get(key(token, brokerExchange));
  }

  /** The row of the broker's own symbol within its segment. */
  brokerSymbol(brokerSymbol: string, brokerExchange: string): MasterRow | undefined {
    return this.byBroker.get(key(brokerSymbol, brokerExchange));
  }

  /** Every derivative of an underlying on an OpenAlgo derivative exchange (`NIFTY` on `NFO`). */
  derivatives(underlying: string, exchange: Exchange): readonly MasterRow[] {
    return this.byUnderlying.get(key(underlying.toUpperCase(), exchange)) ?? [];
  }

  /**
   * Expiries (ISO dates) of an underlying's options or futures from `today` (an IST date) on, ascending and unique.
   * `exchange` is the derivative exchange (`NFO`) or its index's (`NSE_INDEX`).
   */
  expiries(underlying: string, exchange: Exchange, kind: InstrumentKind, today: string): string[] {
    const days = new Set<string>();
    for (const r of this.derivatives(underlying, DERIVATIVES_OF[exchange] ?? exchange))
      if (r.expiry && r.expiry >= today && (kind === "options") === (r.optionType !== null)) days.add(r.expiry);
    return [...days].sort();
  }

  /** Rows whose symbol or name contains `query` (case-insensitive), optionally within one exchange. */
  search(query: string, exchange?: Exchange, limit = 50): MasterRow[] {
    const q = query.trim().toUpperCase();
    if (!q) return [];
    const out: MasterRow[] = [];
    for (const row of this.rows) {
      if (exchange && row.exchange !== exchange) continue;
      if (row.symbol.includes(q) || row.name.toUpperCase().includes(q)) out.push(row);
      if (out.length >= limit) break;
    }
    return out;
  }
}

const masters = new Map<string, { day: string; master: Promise<InstrumentMaster> }>();

/**
 * The master of `cacheKey` (a broker kind and host) for today's IST day, downloading it with `load` when this process
 * has none for today. A failed download is not cached: the next caller tries again.
 */
export function dailyMaster(
  cacheKey: string,
  load: () => Promise<MasterRow[]>,
  now: number = Date.now(),
): Promise<InstrumentMaster> {
  const day = istDateOf(now);
  const hit = masters.get(cacheKey);
  if (hit && hit.day === day) return hit.master;
  const master = load().then((rows) => new InstrumentMaster(rows, day));
  masters.set(cacheKey, { day, master });
  master.catch(() => {
    if (masters.get(cacheKey)?.master === master) masters.delete(cacheKey);
  });
  return master;
}

/** Forgets every cached master (tests that restart a simulator with another market). */
export function forgetMasters(): void {
  masters.clear();
}
