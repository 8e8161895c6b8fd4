import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { redis } from "@/lib/redis";
import {
  EVERY_OWNER,
  publishUserEvents,
  replayUserEvents,
  subscribeUserEvents,
  USER_EVENTS,
  USER_LOG_MAX,
  type LoggedUserEvent,
  type UserEvent,
} from "@/lib/realtime/user-events";
import { closeConnections, resetState } from "@/lib/testing/fixtures";
import { waitUntil } from "@/lib/testing/wait";

const OWNER_A = "00000000-0000-4000-8000-00000000000a";
const OWNER_B = "00000000-0000-4000-8000-00000000000b";
const event = (n: number): UserEvent => ({
  type: "account",
  accountId: `acc-${n}`,
  change: "status",
  status: "CONNECTED",
  at: new Date(0).toISOString(),
});

beforeEach(resetState);
afterAll(closeConnections);

describe("publishing a batch of user events", () => {
  it("gives each event the next sequence in the order given, logs it to its owner and the all-owners log, and publishes it", async () => {
    const live: LoggedUserEvent[] = [];
    const stop = await subscribeUserEvents([OWNER_A], (e) => live.push(e));
    try {
      const last = await publishUserEvents([
        { owner: OWNER_A, event: event(1) },
        { owner: OWNER_B, event: event(2) },
        { owner: null, event: event(3) },
        { owner: OWNER_A, event: event(4) },
      ]);
      expect(last).toBe(4);
      // A follows its own events and the every-owner one, in sequence order; B's is not its.
      await waitUntil(() => live.length === 3, 10_000, "A's three live events");
      expect(live.map((e) => [e.seq, e.ownerId, (e.event as { accountId: string }).accountId])).toEqual([
        [1, OWNER_A, "acc-1"],
        [3, EVERY_OWNER, "acc-3"],
        [4, OWNER_A, "acc-4"],
      ]);
      const all = await replayUserEvents(null, 0);
      expect(all.gap).toBe(false);
      expect(all.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect((await replayUserEvents([OWNER_B], 1)).events.map((e) => e.seq)).toEqual([2, 3]);
      expect(await publishUserEvents([])).toBe(0);
    } finally {
      await stop();
    }
  });

  it("trims a log a batch overflows to its newest events and records where, so a replay from before says gap", async () => {
    await publishUserEvents(Array.from({ length: USER_LOG_MAX - 2 }, (_, i) => ({ owner: OWNER_A, event: event(i) })));
    expect(await redis().xlen(USER_EVENTS.log(OWNER_A))).toBe(USER_LOG_MAX - 2);
    // Five more in one batch: the three oldest go, and the trimmed mark is the newest of those (sequence 3).
    const last = await publishUserEvents(Array.from({ length: 5 }, (_, i) => ({ owner: OWNER_A, event: event(i) })));
    expect(last).toBe(USER_LOG_MAX + 3);
    expect(await redis().xlen(USER_EVENTS.log(OWNER_A))).toBe(USER_LOG_MAX);
    expect(await redis().hget(USER_EVENTS.trimmed, USER_EVENTS.log(OWNER_A))).toBe("3");
    expect((await replayUserEvents([OWNER_A], 2)).gap).toBe(true);
    const fromThree = await replayUserEvents([OWNER_A], 3);
    expect(fromThree.gap).toBe(false);
    expect(fromThree.events[0]?.seq).toBe(4);
    expect(fromThree.events.at(-1)?.seq).toBe(USER_LOG_MAX + 3);
  });

  it("answers each of several concurrent calls with its own last sequence, logging them in the order of the calls", async () => {
    const sizes = [2, 3, 1, 4];
    let k = 0;
    const calls = sizes.map((size, c) =>
      publishUserEvents(Array.from({ length: size }, () => ({ owner: c % 2 ? OWNER_B : OWNER_A, event: event(k++) }))),
    );
    expect(await Promise.all(calls)).toEqual([2, 5, 6, 10]);
    const all = await replayUserEvents(null, 0);
    expect(all.events.map((e) => [e.seq, (e.event as { accountId: string }).accountId])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, `acc-${i}`]),
    );
    expect(all.events.map((e) => e.ownerId)).toEqual([
      ...[OWNER_A, OWNER_A],
      ...[OWNER_B, OWNER_B, OWNER_B],
      OWNER_A,
      ...[OWNER_B, OWNER_B, OWNER_B, OWNER_B],
    ]);
  });

  it("trims more than a thousand events of one batch, from every log it overflows", async () => {
    const n = USER_LOG_MAX + 1_500;
    const last = await publishUserEvents(Array.from({ length: n }, (_, i) => ({ owner: OWNER_A, event: event(i) })));
    expect(last).toBe(n);
    for (const log of [USER_EVENTS.log(OWNER_A), USER_EVENTS.allLog]) {
      expect(await redis().xlen(log)).toBe(USER_LOG_MAX);
      expect(await redis().hget(USER_EVENTS.trimmed, log)).toBe("1500");
    }
    expect((await replayUserEvents([OWNER_A], 1_499)).gap).toBe(true);
    const rest = await replayUserEvents([OWNER_A], 1_500);
    expect(rest.gap).toBe(false);
    expect(rest.events.map((e) => e.seq)).toEqual(Array.from({ length: USER_LOG_MAX }, (_, i) => 1_501 + i));
  });
});
