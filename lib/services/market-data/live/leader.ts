/**
 * The feed's leader lock: one Redis key naming the worker that runs the upstream feed, set only if absent and with
 * an expiry, renewed by its holder well before it runs out. A worker that dies stops renewing and another takes the
 * lock once it expires (docs/market-data.md "The upstream feed").
 */
import { redis } from "@/lib/redis";

/** Redis key of the feed's leader lock (value: the holder's id). */
export const FEED_LEADER_KEY = "md:live:feed-leader";

// Take the lock if free, extend it if already ours; 1 when held afterwards.
const HOLD = `local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class LeaderLock {
  constructor(
    readonly owner: string,
    private readonly ttlMs: number,
    private readonly key = FEED_LEADER_KEY,
  ) {}

  /** Takes or renews the lock; true when this owner holds it for the next `ttlMs`. */
  async hold(): Promise<boolean> {
    return (await redis().eval(HOLD, 1, this.key, this.owner, String(this.ttlMs))) === 1;
  }

  /** Gives the lock up if this owner holds it (another worker can take over at once). */
  async release(): Promise<void> {
    await redis().eval(RELEASE, 1, this.key, this.owner);
  }
}

/** The current leader's id, or null when nobody holds the lock. */
export async function feedLeader(key = FEED_LEADER_KEY): Promise<string | null> {
  return redis().get(key);
}
