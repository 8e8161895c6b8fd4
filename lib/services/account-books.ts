import Decimal from "decimal.js";
import { z } from "zod";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { redis } from "@/lib/redis";
import { AppError } from "@/lib/errors";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import type { BrokerAdapter, Funds, Holding, Order, Position, Trade } from "@/lib/brokers/types";
import { adapterFor, adapterForScoped } from "@/lib/services/broker-access";
import { jsonify, type Jsonified } from "@/lib/services/serialize";

/**
 * Books of linked accounts (funds, orders, trades, positions, holdings), cached in Redis for a few seconds so
 * that many browser tabs and refreshes hit each broker at most once per BOOK_TTL_MS. The user's own actions
 * (cancel, modify, account edits) invalidate the account's cache at once.
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

const fetchers: { [B in Book]: (a: BrokerAdapter) => Promise<BookData[B]> } = {
  funds: (a) => a.funds(),
  orders: (a) => a.orders(),
  trades: (a) => a.trades(),
  positions: (a) => a.positions(),
  holdings: (a) => a.holdings(),
};

const key = (accountId: string, book: Book) => `md:book:${accountId}:${book}`;
const inflight = new Map<string, Promise<unknown>>();

/** One account's book: from the cache when fresh, else one broker call (shared by concurrent callers). */
async function readBook<B extends Book>(accountId: string, adapter: BrokerAdapter, book: B): Promise<{ data: BookJson<B>; fetchedAt: string }> {
  const k = key(accountId, book);
  const cached = await redis().get(k);
  if (cached) return JSON.parse(cached);
  let p = inflight.get(k) as Promise<{ data: BookJson<B>; fetchedAt: string }> | undefined;
  if (!p) {
    p = (async () => {
      const value = { data: jsonify(await fetchers[book](adapter)) as BookJson<B>, fetchedAt: new Date().toISOString() };
      await redis().set(k, JSON.stringify(value), "PX", BOOK_TTL_MS);
      return value;
    })().finally(() => inflight.delete(k));
    inflight.set(k, p);
  }
  return p;
}

export async function invalidateAccountCache(accountId: string): Promise<void> {
  await redis().del(...bookSchema.options.map((b) => key(accountId, b)));
}

export async function accountBook<B extends Book>(actor: Actor, accountId: string, book: B) {
  const { account, adapter } = await adapterForScoped(scopeOf(actor), accountId);
  return readBook(account.id, adapter, book);
}

export type AccountSlice<B extends Book> =
  | { accountId: string; accountName: string; ok: true; data: BookJson<B>; fetchedAt: string }
  | { accountId: string; accountName: string; ok: false; error: { code: string; message: string } };

/** The same book across every active account in scope, fetched in parallel; one account's failure is shown, not fatal. */
export async function aggregateBook<B extends Book>(actor: Actor, book: B, filter: { accountIds?: string[] } = {}): Promise<AccountSlice<B>[]> {
  const accounts = (await listAccountSecrets(scopeOf(actor), { active: true })).filter((a) => !filter.accountIds || filter.accountIds.includes(a.id));
  return Promise.all(
    accounts.map(async (a): Promise<AccountSlice<B>> => {
      try {
        const r = await readBook(a.id, adapterFor(a), book);
        return { accountId: a.id, accountName: a.name, ok: true, ...r };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return { accountId: a.id, accountName: a.name, ok: false, error: { code: e.code, message: e.message } };
      }
    }),
  );
}

/** Sum of P&L over positions rows (strings in, string out; exact). */
export function sumPnl(rows: { pnl: string }[]): string {
  return rows.reduce((acc, r) => acc.plus(r.pnl), new Decimal(0)).toString();
}
