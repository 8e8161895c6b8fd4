/**
 * One stream's live positions book: the ledger rows (from the positions service, the same rows `/api/positions/ledger`
 * answers), re-priced on every browser-bound quote of their contracts (`LIVE.ui`, per feed kind) and flagged on
 * stale changes (`LIVE.staleEvents`). Prices are state: the book sends a whole snapshot when its rows change and a
 * delta (changed rows + subtotals) when prices do.
 */
import { fanout } from "@/lib/realtime/redis-fanout";
import {
  LIVE,
  liveKey,
  liveQuoteSchema,
  readQuotes,
  staleEventSchema,
  type FeedKind,
  type LiveQuote,
} from "@/lib/services/market-data";
import { bookTotals, repriceRow, type BookTotals } from "@/lib/trading/live-book";
import type { LedgerRowJson } from "@/lib/services/positions";

export interface PositionsSnapshot {
  rows: LedgerRowJson[];
  totals: BookTotals;
}

export interface PriceDelta {
  rows: Pick<LedgerRowJson, "key" | "ltp" | "unrealisedPnl" | "priceSource" | "stale">[];
  totals: BookTotals;
}

export interface StaleChange {
  feed: FeedKind;
  /** `EXCHANGE:SYMBOL`. */
  contract: string;
  stale: boolean;
  since: string | null;
}

const contractOf = (r: Pick<LedgerRowJson, "feed" | "exchange" | "symbol">) =>
  `${r.feed}|${liveKey(r.exchange, r.symbol)}`;

function parse<T>(text: string, schema: { safeParse(v: unknown): { success: boolean; data?: T } }): T | null {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? (r.data as T) : null;
  } catch {
    return null;
  }
}

export class LiveBook {
  private rows: LedgerRowJson[] = [];
  /** Live channel subscriptions by `kind|EXCHANGE:SYMBOL` (quotes) and `stale|kind`. */
  private readonly subs = new Map<string, Promise<() => Promise<void>>>();
  /** `receivedAt` of the quote each contract was last priced at: an older quote delivered late never wins. */
  private readonly pricedAt = new Map<string, string>();
  private readonly changed = new Set<string>();
  private flushing = false;
  private closed = false;

  constructor(
    private readonly out: {
      snapshot: (s: PositionsSnapshot) => void;
      prices: (d: PriceDelta) => void;
      stale: (c: StaleChange) => void;
    },
  ) {}

  /**
   * Takes a fresh set of ledger rows: subscribes the quotes of their open contracts first, then re-reads those
   * quotes (so no tick between the ledger read and the subscription is lost), then sends the snapshot.
   */
  async replace(rows: LedgerRowJson[]): Promise<void> {
    const open = rows.filter((r) => r.netQty !== 0);
    const wanted = new Set(open.map(contractOf));
    for (const kind of new Set(open.map((r) => r.feed))) wanted.add(`stale|${kind}`);
    for (const key of wanted) {
      if (this.subs.has(key)) continue;
      const sub = this.subscribe(key);
      // A failed subscription is forgotten, so the next refresh tries again instead of failing for good.
      sub.catch(() => this.subs.get(key) === sub && this.subs.delete(key));
      this.subs.set(key, sub);
    }
    const dropped = [...this.subs.keys()].filter((k) => !wanted.has(k));
    for (const key of dropped) {
      const sub = this.subs.get(key)!;
      this.subs.delete(key);
      this.pricedAt.delete(key);
      void sub.then((stop) => stop()).catch(() => undefined);
    }
    await Promise.all([...this.subs.values()]);
    this.rows = rows;
    for (const kind of ["real", "simulated"] as const) {
      const keys = [...new Set(open.filter((r) => r.feed === kind).map((r) => liveKey(r.exchange, r.symbol)))];
      for (const q of (await readQuotes(kind, keys)).values()) this.apply(kind, q, false);
    }
    this.changed.clear();
    if (!this.closed) this.out.snapshot({ rows: this.rows, totals: bookTotals(this.rows) });
  }

  private subscribe(key: string): Promise<() => Promise<void>> {
    if (key.startsWith("stale|")) {
      const kind = key.slice(6) as FeedKind;
      return fanout().subscribe(LIVE.staleEvents(kind), (message) => {
        const e = parse(message, staleEventSchema);
        if (e) this.onStale(kind, e.key, e.stale, e.flag?.since ?? null);
      });
    }
    const bar = key.indexOf("|");
    const kind = key.slice(0, bar) as FeedKind;
    return fanout().subscribe(LIVE.ui(kind, key.slice(bar + 1)), (message) => {
      const q = parse<LiveQuote>(message, liveQuoteSchema);
      if (q) this.apply(kind, q, true);
    });
  }

  /** Re-prices the rows of one contract; `send` batches a delta out (after the current burst of messages). */
  private apply(kind: FeedKind, q: LiveQuote, send: boolean): void {
    const contract = `${kind}|${liveKey(q.exchange, q.symbol)}`;
    const last = this.pricedAt.get(contract);
    if (last && last > q.receivedAt) return;
    this.pricedAt.set(contract, q.receivedAt);
    if (!(Number(q.ltp) > 0)) return;
    const source = q.source === "rest" ? ("rest" as const) : ("feed" as const);
    this.rows = this.rows.map((r) => {
      if (r.netQty === 0 || contractOf(r) !== contract) return r;
      if (r.ltp === q.ltp && r.priceSource === source) return r;
      this.changed.add(r.key);
      return { ...repriceRow(r, q.ltp), priceSource: source };
    });
    if (send) this.scheduleFlush();
  }

  private onStale(kind: FeedKind, key: string, stale: boolean, since: string | null): void {
    let hit = false;
    this.rows = this.rows.map((r) => {
      if (r.netQty === 0 || r.feed !== kind || liveKey(r.exchange, r.symbol) !== key || r.stale === stale) return r;
      hit = true;
      return { ...r, stale };
    });
    if (hit && !this.closed) this.out.stale({ feed: kind, contract: key, stale, since });
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      if (this.closed || this.changed.size === 0) return;
      const rows = this.rows
        .filter((r) => this.changed.has(r.key))
        .map((r) => ({
          key: r.key,
          ltp: r.ltp,
          unrealisedPnl: r.unrealisedPnl,
          priceSource: r.priceSource,
          stale: r.stale,
        }));
      this.changed.clear();
      this.out.prices({ rows, totals: bookTotals(this.rows) });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const subs = [...this.subs.values()];
    this.subs.clear();
    await Promise.all(subs.map((s) => s.then((stop) => stop()).catch(() => undefined)));
  }
}
