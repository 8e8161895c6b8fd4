/**
 * The freeze quantity an exit slices to, read when it is about to send. Exchanges revise freeze limits, brokers'
 * own tables lag behind (OpenAlgo reads a bundled file), and an order above the limit is rejected however often it
 * is resent. So: the smallest of what the broker says now, the admin's setting, and what a freeze rejection taught
 * us today. A rejection that states its limit ("exceeds the freeze limit of 1800") teaches that limit; one that
 * states none halves the rejected size, so repeated attempts converge instead of repeating the same order.
 *
 * Within one exit drive, the broker's answer is shared for BROKER_FREEZE_TTL_MS by every account on the same broker
 * (its host URL) and every attempt meanwhile (BrokerFreezes): an exit's hundreds of accounts trade the same few
 * contracts, and asking each of them before each attempt costs a broker round trip on every attempt's path and most
 * of the account's read budget (docs/performance.md "The way out").
 */
import type { BrokerAdapter, Exchange } from "@/lib/brokers/types";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";
import { istDateOf } from "@/lib/trading/calendar";
import { freezeLimitOf } from "@/lib/trading/rejection-cause";
import { reusedAnswers } from "@/lib/util/reused";

/** Learned limits last for the trading day (a revision applies from a date on; tomorrow the broker knows it too). */
const LEARNED_TTL_S = 24 * 3600;
const learnedKey = (exchange: string, symbol: string, now: number) =>
  `md:freeze:learned:${istDateOf(now)}:${exchange}:${symbol.toUpperCase()}`;

/** Records what a freeze rejection of `quantity` units of `symbol` says about its current limit. */
export async function learnFreezeFromRejection(
  exchange: string,
  symbol: string,
  quantity: number,
  reason: string,
  now = Date.now(),
): Promise<number | null> {
  const stated = freezeLimitOf(reason);
  const limit = stated !== null && stated < quantity ? stated : Math.floor(quantity / 2);
  if (limit < 1) return null;
  const key = learnedKey(exchange, symbol, now);
  // Keep the smaller of what is known and what is learned now (atomically: two rejections may arrive together).
  await redis().eval(
    `local v = tonumber(redis.call('GET', KEYS[1])) if v == nil or tonumber(ARGV[1]) < v then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end return 1`,
    1,
    key,
    String(limit),
    String(LEARNED_TTL_S),
  );
  log().warn(
    { exchange, symbol, quantity, limit, stated },
    "freeze rejection: slicing below the learned limit from now on",
  );
  return limit;
}

/** How long a drive reuses the broker's stated freeze quantity of a contract, ms (a revision takes effect by day). */
export const BROKER_FREEZE_TTL_MS = 5_000;

/**
 * The broker's freeze answers one exit drive shares: one read per broker (its host URL) and contract every
 * BROKER_FREEZE_TTL_MS, however many accounts and attempts ask. Only answers are kept, never a failure.
 */
export class BrokerFreezes {
  private readonly answers: ReturnType<typeof reusedAnswers<number | null>>;

  /** `now` is the clock the answers age by (tests pass their own). */
  constructor(now: () => number = Date.now) {
    this.answers = reusedAnswers<number | null>(BROKER_FREEZE_TTL_MS, now);
  }

  read(adapter: BrokerAdapter, broker: string, contract: { symbol: string; exchange: string }): Promise<number | null> {
    return this.answers(`${broker}|${contract.exchange}|${contract.symbol.toUpperCase()}`, () =>
      adapter.symbolInfo(contract.symbol, contract.exchange as Exchange).then((i) => i?.freezeQty ?? null),
    );
  }
}

async function learnedFreeze(exchange: string, symbol: string): Promise<number | null> {
  const v = Number(await redis().get(learnedKey(exchange, symbol, Date.now())));
  return Number.isSafeInteger(v) && v > 0 ? v : null;
}

/** The broker the adapter talks to (its host URL) and the drive's shared answers, when an exit drive asks. */
export interface SharedFreezes {
  freezes: BrokerFreezes;
  broker: string;
}

/** The current freeze limit of a contract (units), or null when no source knows one. */
export async function currentFreeze(
  adapter: BrokerAdapter,
  contract: { symbol: string; exchange: string },
  setting: number | null,
  shared?: SharedFreezes,
): Promise<number | null> {
  const asked = shared
    ? shared.freezes.read(adapter, shared.broker, contract)
    : adapter.symbolInfo(contract.symbol, contract.exchange as Exchange).then((i) => i?.freezeQty ?? null);
  const [brokerSays, learned] = await Promise.all([
    asked.catch((err) => {
      log().warn({ err, symbol: contract.symbol }, "freeze quantity not read from the broker; using the other sources");
      return null;
    }),
    learnedFreeze(contract.exchange, contract.symbol),
  ]);
  const known = [brokerSays, setting, learned].filter((v): v is number => v !== null && v > 1);
  return known.length > 0 ? Math.min(...known) : null;
}
