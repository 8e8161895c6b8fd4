import { z } from "zod";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { redis } from "@/lib/redis";
import { AppError, NotFoundError, RateLimitedError, type ErrorCode } from "@/lib/errors";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import type { BrokerAdapter, Funds, Holding, Order, Position, Trade } from "@/lib/brokers/types";
import { adapterFor, adapterForScoped } from "@/lib/services/broker-access";
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
type CachedBook<B extends Book> =
  { ok: true; data: BookJson<B>; fetchedAt: string } | { ok: false; error: CachedError; fetchedAt: string };

const key = (accountId: string, book: Book) => `md:book:${accountId}:${book}`;
const inflight = new Map<string, Promise<unknown>>();

/** One account's book: from the cache when fresh, else one broker call (shared by concurrent callers). */
async function readBook<B extends Book>(accountId: string, adapter: BrokerAdapter, book: B): Promise<CachedBook<B>> {
  const k = key(accountId, book);
  const cached = await redis().get(k);
  if (cached) return JSON.parse(cached) as CachedBook<B>;
  let p = inflight.get(k) as Promise<CachedBook<B>> | undefined;
  if (!p) {
    p = (async () => {
      let value: CachedBook<B>;
      try {
        value = {
          ok: true,
          data: jsonify(await fetchers[book](adapter)) as BookJson<B>,
          fetchedAt: new Date().toISOString(),
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
        value = { ok: false, error, fetchedAt: new Date().toISOString() };
      }
      await redis().set(k, JSON.stringify(value), "PX", BOOK_TTL_MS);
      return value;
    })().finally(() => inflight.delete(k));
    inflight.set(k, p);
  }
  return p;
}

/** Drops the cached books (data and errors) of these accounts, so the next read asks their brokers. */
export async function invalidateBooks(accountIds: readonly string[]): Promise<void> {
  if (accountIds.length === 0) return;
  await redis().del(...[...new Set(accountIds)].flatMap((id) => bookSchema.options.map((b) => key(id, b))));
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
