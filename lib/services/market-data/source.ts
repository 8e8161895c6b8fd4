/**
 * Which account supplies an owner's prices (quotes, chains, symbol info), and failing over between accounts on the
 * spot when it cannot answer.
 *
 * An account's feed is *simulated* when its broker reports itself as MirrorDesk's exchange simulator (the broker
 * name the ping returns, stored on the account), else *real* (OpenAlgo in analyzer mode still streams the broker's
 * real prices: analyzer mode changes where orders go, not where quotes come from). Quotes of one kind never price
 * orders for accounts of the other kind: a simulated quote can be an order of magnitude off the real market.
 *
 * The owner's chosen primary stays the primary. While it is FAILED (or a call to it fails) prices come from the
 * healthiest other account of the same kind; once it is healthy again it is used again (docs/market-data.md).
 */
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { BrokerAuthError, BrokerUnavailableError, RateLimitedError, ValidationError } from "@/lib/errors";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { adapterFor } from "@/lib/services/broker-access";
import { log } from "@/lib/log";
import {
  feedKindOf,
  SIMULATOR_BROKER,
  sourceCandidates,
  type FeedKind,
  type FeedKindInput,
} from "@/lib/trading/feed-kind";

// The ranking is pure (lib/trading/feed-kind.ts) so the trading calendar picks its source the same way.
export { feedKindOf, SIMULATOR_BROKER, sourceCandidates, type FeedKind, type FeedKindInput };

export const feedLabel = (kind: FeedKind) => (kind === "simulated" ? "simulated" : "real");

/** The one feed kind of the accounts an order targets; mixed targets cannot share one price. */
export function targetKind(targets: readonly FeedKindInput[], fallback: FeedKind): FeedKind {
  const kinds = new Set(targets.map(feedKindOf));
  if (kinds.size > 1) {
    throw new ValidationError("Real and simulated accounts cannot be priced together: choose accounts of one kind", {
      accountIds: ["Mixes real and simulated accounts"],
    });
  }
  return [...kinds][0] ?? fallback;
}

/** Errors that mean "this account cannot answer now" (try the next one), as opposed to an answer about the request. */
const isSourceDown = (e: unknown) =>
  e instanceof BrokerUnavailableError || e instanceof BrokerAuthError || e instanceof RateLimitedError;

/** Where a request's prices came from (shown with previews). */
export interface SourceNote {
  accountId: string;
  accountName: string;
  kind: FeedKind;
  /** Set when the primary could not be used: why, in words. */
  fallbackReason: string | null;
}

export interface MarketSource {
  adapter: BrokerAdapter;
  /** The account that answered the last call (or will answer the next one). */
  note(): SourceNote;
}

/**
 * The owner's market-data source for orders to `targets` (all of one feed kind; none = the primary's kind). Every
 * call goes to the first candidate that answers: a primary that is down costs one failed call, not a health-check
 * cycle. Throws 422 when no account of the right kind exists, 503 naming the market-data account when none answers.
 */
export async function marketSourceFor(
  ownerId: string,
  targets: readonly FeedKindInput[] = [],
  /** The owner's active accounts, when the caller has just read them (a trigger's plan): saves reading them again. */
  ownerAccounts?: Awaited<ReturnType<typeof listAccountSecrets>>,
): Promise<MarketSource> {
  const accounts = ownerAccounts ?? (await listAccountSecrets({ ownerId }, { active: true }));
  const primary = accounts.find((a) => a.isPrimary);
  const kind = targetKind(targets, primary ? feedKindOf(primary) : "real");
  const candidates = sourceCandidates(accounts, kind);
  if (candidates.length === 0) {
    const why =
      primary && feedKindOf(primary) === kind
        ? `the market-data account ${primary.name} is failing`
        : `no active ${feedLabel(kind)} account`;
    throw new ValidationError(`No market-data source for ${feedLabel(kind)} accounts: ${why}`, {
      accountIds: ["No healthy market-data account"],
    });
  }
  let current = 0;
  let fallbackReason: string | null =
    primary && primary.status === "FAILED" && feedKindOf(primary) === kind
      ? `the market-data account ${primary.name} is failing its health checks`
      : null;
  const call = async (method: string, args: unknown[]) => {
    for (;;) {
      const at = current;
      const account = candidates[at];
      try {
        const adapter = adapterFor(account) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        return await adapter[method](...args);
      } catch (e) {
        if (!isSourceDown(e)) throw e;
        const reason = e instanceof Error ? e.message : String(e);
        log().warn(
          { ownerId, accountId: account.id, method, reason },
          "market-data source did not answer; trying the next account",
        );
        if (at + 1 >= candidates.length) {
          throw new BrokerUnavailableError(
            `No market data: the market-data account ${account.name} did not answer (${reason}) and no other healthy ${feedLabel(kind)} account is left`,
          );
        }
        // Concurrent calls that failed on the same account move on once, not once each.
        if (current === at) {
          fallbackReason ??= `the market-data account ${account.name} did not answer (${reason})`;
          current = at + 1;
        }
      }
    }
  };
  const adapter = new Proxy(adapterFor(candidates[0]), {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => call(prop, args);
    },
  });
  return {
    adapter,
    note: () => ({ accountId: candidates[current].id, accountName: candidates[current].name, kind, fallbackReason }),
  };
}
