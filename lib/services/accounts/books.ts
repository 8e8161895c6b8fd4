import { z } from "zod";
import Decimal from "decimal.js";
import { listAccountSecrets, listStrategyAccountSecrets } from "@/lib/db/queries/accounts";
import { pipelinedRedis } from "@/lib/redis";
import { AppError, NotFoundError, RateLimitedError, type ErrorCode } from "@/lib/errors";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import type { BrokerAdapter, Funds, Holding, Order, Position, Trade } from "@/lib/brokers/types";
import { adapterFor, adapterForScoped } from "@/lib/services/broker-access";
import { inBatches } from "@/lib/util/in-batches";
import { jsonify, type Jsonified } from "@/lib/util/jsonify";
import { needsTradeFills, withTradeFills } from "@/lib/trading/order-fills";

/**
 * Books of linked accounts (funds, orders, trades, positions, holdings), cached in Redis for a few seconds so
 * that many browser tabs and refreshes hit each broker at most once per BOOK_TTL_MS. A broker's failure is cached
 * for the same time, so a failing broker is not called again on every refresh from every tab. The user's own
 * actions (cancel, modify, account edits) invalidate the account's cache at once.
 */
export const BOOK_TTL_MS = 3_000;
export const bookSchema = z.enum(["funds", "orders", "trades", "positions", "holdings"]);
export type Book = z.infer<typeof bookSchema>;

interface BookData {
  funds: Funds;
  orders: Order[];
  trades: Trade[];
  positions: Position[];
  holdings: Holding[];
}
export type BookJson<B extends Book> = Jsonified<BookData[B]>;
/** Each book's JSON as the browser receives it (GET /api/accounts/{id}/books/{book}, GET /api/books/{book}). */
export type FundsJson = BookJson<"funds">;
export type OrderJson = BookJson<"orders">[number];
export type TradeJson = BookJson<"trades">[number];
export type PositionJson = BookJson<"positions">[number];
export type HoldingJson = BookJson<"holdings">[number];

const fetchers: { [B in Book]: (a: BrokerAdapter) => Promise<BookData[B]> } = {
  funds: (a) => a.funds(),
  // Live order books carry no fill price: the trade book supplies it (lib/trading/order-fills.ts).
  orders: async (a) => {
    const orders = await a.orders();
    return needsTradeFills(orders) ? withTradeFills(orders, await a.trades()) : orders;
  },
  trades: (a) => a.trades(),
  positions: (a) => a.positions(),
  holdings: (a) => a.holdings(),
};

/** A stored AppError: enough to rebuild it for a single-account read and to show it in an aggregate. */
interface CachedError {
  code: ErrorCode;
  status: number;
  message: string;
  fields?: Record<string, string[]>;
}
/** `gen`: the account's drop generation when the broker call started (see `invalidateBooks`). */
type CachedBook<B extends Book> = (
  { ok: true; data: BookJson<B>; fetchedAt: string } | { ok: false; error: CachedError; fetchedAt: string }
) & { gen: number };

const key = (accountId: string, book: Book) => `md:book:${accountId}:${book}`;
/** The account's drop generation: `invalidateBooks` moves it on; an answer asked for under an older one is void. */
const genKey = (accountId: string) => `md:book:${accountId}:gen`;
const inflight = new Map<string, Promise<unknown>>();

/** A cached entry if it was asked for under generation `gen` (the account's current one), else null. */
function current<B extends Book>(text: string | null, gen: number): CachedBook<B> | null {
  const hit = text ? (JSON.parse(text) as CachedBook<B>) : null;
  return hit && hit.gen === gen ? hit : null;
}

/** One account's book: from the cache when fresh, else one broker call (shared by concurrent callers). */
async function readBook<B extends Book>(accountId: string, adapter: BrokerAdapter, book: B): Promise<CachedBook<B>> {
  const [cached, gen] = await pipelinedRedis().mget(key(accountId, book), genKey(accountId));
  return current<B>(cached, Number(gen ?? 0)) ?? fetchBook(accountId, adapter, book, BOOK_TTL_MS, Number(gen ?? 0));
}

/**
 * One broker call for a book, stored for `ttlMs` with the generation `gen` it was asked under (read before the call):
 * an answer whose call started before the account's books were dropped (a trade) is never taken for a later one.
 * Concurrent callers of one generation share it; a caller of a newer one never joins an older call.
 */
function fetchBook<B extends Book>(
  accountId: string,
  adapter: BrokerAdapter,
  book: B,
  ttlMs: number,
  gen: number,
): Promise<CachedBook<B>> {
  const k = key(accountId, book);
  const flight = `${k}|${gen}`;
  let p = inflight.get(flight) as Promise<CachedBook<B>> | undefined;
  if (!p) {
    p = (async () => {
      let value: CachedBook<B>;
      try {
        value = {
          ok: true,
          data: jsonify(await fetchers[book](adapter)) as BookJson<B>,
          fetchedAt: new Date().toISOString(),
          gen,
        };
      } catch (e) {
        // Our own rate governor asking to wait is not the broker's answer (and its Retry-After is per call).
        if (!(e instanceof AppError) || e instanceof RateLimitedError) throw e;
        const error: CachedError = {
          code: e.code,
          status: e.status,
          message: e.message,
          ...(e.fields ? { fields: e.fields } : {}),
        };
        value = { ok: false, error, fetchedAt: new Date().toISOString(), gen };
      }
      await pipelinedRedis().set(k, JSON.stringify(value), "PX", ttlMs);
      return value;
    })().finally(() => inflight.delete(flight));
    inflight.set(flight, p);
  }
  return p;
}

/**
 * Funds a plan sizes from (docs/performance.md "Funds for sizing"): fetched from the broker at most this long ago. The
 * worker keeps them this fresh for every account a strategy trades (`warmSizingFunds`), and dispatch drops them when
 * it has sent an account's orders, so a trigger reads Redis instead of waiting for every broker.
 */
export const SIZING_FUNDS_MAX_AGE_MS = 5_000;
/**
 * How often the worker looks for funds of accounts in strategies to refresh, ms: those a trade dropped (so the next
 * trigger after a trade finds them again) and those older than FUNDS_REFRESH_AGE_MS.
 */
export const FUNDS_WARM_EVERY_MS = 500;
/** Age at which warm funds are asked again, ms: with the look every FUNDS_WARM_EVERY_MS, never older than the limit. */
export const FUNDS_REFRESH_AGE_MS = 3_000;

const fundsOf = (j: FundsJson): Funds => ({
  availableMargin: new Decimal(j.availableMargin),
  cash: new Decimal(j.cash),
  collateral: new Decimal(j.collateral),
  utilised: new Decimal(j.utilised),
  realisedPnl: new Decimal(j.realisedPnl),
  unrealisedPnl: new Decimal(j.unrealisedPnl),
});

/**
 * Each account's funds for sizing, in the order given: the cached answer when the broker gave it within
 * SIZING_FUNDS_MAX_AGE_MS and the call started after the account's last trade (one Redis read for all), else a live
 * call. A failure is the broker's error, thrown by that account's promise alone; a cached failure is never reused
 * (sizing asks again).
 */
export async function sizingFunds(
  accounts: readonly { id: string; adapter: () => BrokerAdapter }[],
  now = Date.now(),
): Promise<Promise<Funds>[]> {
  if (accounts.length === 0) return [];
  const cached = await pipelinedRedis().mget(...accounts.flatMap((a) => [key(a.id, "funds"), genKey(a.id)]));
  return accounts.map(async (a, i) => {
    const gen = Number(cached[2 * i + 1] ?? 0);
    const hit = current<"funds">(cached[2 * i], gen);
    if (hit?.ok && now - Date.parse(hit.fetchedAt) <= SIZING_FUNDS_MAX_AGE_MS) return fundsOf(hit.data);
    const fresh = await fetchBook(a.id, a.adapter(), "funds", SIZING_FUNDS_MAX_AGE_MS, gen);
    if (fresh.ok) return fundsOf(fresh.data);
    throw new AppError(fresh.error.code, fresh.error.status, fresh.error.message, fresh.error.fields);
  });
}

/**
 * Refreshes the funds of the active accounts a live strategy trades (through each account's rate budget) that are
 * missing — dropped by a trade, never asked, or a failure — or older than FUNDS_REFRESH_AGE_MS, so a trigger finds
 * them fresh, also right after the last one traded; not those of owners a kill switch covers (no trigger can size for
 * them until it is re-armed, and a plan made then asks for anything older than SIZING_FUNDS_MAX_AGE_MS). Returns how
 * many were refreshed.
 */
export async function warmSizingFunds(concurrency = 32, now = Date.now()): Promise<number> {
  const accounts = await listStrategyAccountSecrets();
  if (accounts.length === 0) return 0;
  const cached = await pipelinedRedis().mget(...accounts.flatMap((a) => [key(a.id, "funds"), genKey(a.id)]));
  const due = accounts.flatMap((a, i) => {
    const gen = Number(cached[2 * i + 1] ?? 0);
    const hit = current<"funds">(cached[2 * i], gen);
    return hit?.ok && now - Date.parse(hit.fetchedAt) < FUNDS_REFRESH_AGE_MS ? [] : [{ account: a, gen }];
  });
  const warmed = await inBatches(due, concurrency, ({ account, gen }) =>
    fetchBook(account.id, adapterFor(account), "funds", SIZING_FUNDS_MAX_AGE_MS, gen).then(
      (r) => r.ok,
      // The governor asked to wait, or the account cannot be used: sizing asks the broker itself.
      () => false,
    ),
  );
  return warmed.filter(Boolean).length;
}

/**
 * Drops the cached books (data and errors) of these accounts, so the next read asks their brokers, and moves each
 * account's generation on: an answer to a call that was already under way (the funds warm-up's, a page's) is stored
 * under the old generation and never used — sizing never sees funds from before the trade that dropped them.
 */
export async function invalidateBooks(accountIds: readonly string[]): Promise<void> {
  if (accountIds.length === 0) return;
  const ids = [...new Set(accountIds)];
  const r = pipelinedRedis();
  await Promise.all([
    ...ids.map((id) => r.incr(genKey(id))),
    r.del(...ids.flatMap((id) => bookSchema.options.map((b) => key(id, b)))),
  ]);
}

export async function accountBook<B extends Book>(
  actor: Actor,
  accountId: string,
  book: B,
): Promise<{ data: BookJson<B>; fetchedAt: string }> {
  const { account, adapter } = await adapterForScoped(scopeOf(actor), accountId);
  const r = await readBook(account.id, adapter, book);
  if (!r.ok) throw new AppError(r.error.code, r.error.status, r.error.message, r.error.fields);
  return { data: r.data, fetchedAt: r.fetchedAt };
}

export type AccountSlice<B extends Book> =
  | { accountId: string; accountName: string; ok: true; data: BookJson<B>; fetchedAt: string }
  | { accountId: string; accountName: string; ok: false; error: { code: string; message: string } };

/**
 * The same book across every active account in scope, fetched in parallel; one account's failure is shown, not fatal.
 * `accountIds` narrows it to those accounts; one outside the actor's scope (or unknown) is a 404, as everywhere.
 */
export async function aggregateBook<B extends Book>(
  actor: Actor,
  book: B,
  filter: { accountIds?: string[] } = {},
): Promise<AccountSlice<B>[]> {
  let accounts = await listAccountSecrets(scopeOf(actor), filter.accountIds ? {} : { active: true });
  if (filter.accountIds) {
    const inScope = new Set(accounts.map((a) => a.id));
    if (filter.accountIds.some((id) => !inScope.has(id))) throw new NotFoundError("Account");
    const wanted = new Set(filter.accountIds);
    accounts = accounts.filter((a) => a.active && wanted.has(a.id));
  }
  return Promise.all(
    accounts.map(async (a): Promise<AccountSlice<B>> => {
      try {
        const r = await readBook(a.id, adapterFor(a), book);
        if (r.ok) return { accountId: a.id, accountName: a.name, ok: true, data: r.data, fetchedAt: r.fetchedAt };
        return {
          accountId: a.id,
          accountName: a.name,
          ok: false,
          error: { code: r.error.code, message: r.error.message },
        };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return { accountId: a.id, accountName: a.name, ok: false, error: { code: e.code, message: e.message } };
      }
    }),
  );
}

/**
 * Broker positions of these accounts (through the same short cache as the books), null where the broker could not
 * be read. Used to reconcile the ledger with what is really open.
 */
export async function brokerPositions(
  accounts: readonly Parameters<typeof adapterFor>[0][],
): Promise<Map<string, BookJson<"positions"> | null>> {
  const out = new Map<string, BookJson<"positions"> | null>();
  await Promise.all(
    accounts.map(async (a) => {
      try {
        const r = await readBook(a.id, adapterFor(a), "positions");
        out.set(a.id, r.ok ? r.data : null);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        out.set(a.id, null);
      }
    }),
  );
  return out;
}
