/**
 * Where a feed kind's stream comes from (docs/market-data.md "The upstream feed"): the candidate accounts of every
 * owner for the kind, best first, and opening one account's market-data stream through its own adapter (so its key
 * goes only to its own host, under the host policy).
 */
import type { FeedTick, MarketFeed, MarketFeedTimings } from "@/lib/brokers/market-types";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { adapterFor } from "@/lib/services/broker-access";
import { sourceCandidates, type FeedKind } from "../source";

export type SourceAccount = Awaited<ReturnType<typeof listAccountSecrets>>[number];

/** An open stream, the account it belongs to and when it opened (ms epoch). */
export interface Connection {
  feed: MarketFeed;
  account: SourceAccount;
  since: number;
}

/** The accounts that may serve `kind`, best first: prices are exchange facts, so every owner's accounts count. */
export async function feedCandidates(kind: FeedKind): Promise<SourceAccount[]> {
  const accounts = await listAccountSecrets({ ownerId: null }, { active: true });
  return sourceCandidates(accounts, kind);
}

export interface ConnectionHandlers {
  onTick(conn: MarketFeed, tick: FeedTick): void;
  onClose(conn: MarketFeed, error: Error): void;
}

/** Opens `account`'s market-data stream (connected and authenticated); throws when it cannot. */
export async function openConnection(
  account: SourceAccount,
  timings: MarketFeedTimings,
  handlers: ConnectionHandlers,
): Promise<Connection> {
  const adapter = adapterFor(account);
  if (!adapter.openMarketFeed) throw new Error("its broker has no market-data stream");
  // Handlers name the stream they came from, so a replaced stream's late frames are told apart.
  const holder: { feed?: MarketFeed } = {};
  const feed = await adapter.openMarketFeed(
    {
      onTick: (tick) => holder.feed && handlers.onTick(holder.feed, tick),
      onClose: (error) => holder.feed && handlers.onClose(holder.feed, error),
    },
    timings,
  );
  holder.feed = feed;
  return { feed, account, since: Date.now() };
}
