/**
 * The readiness schedule through two real BullMQ workers of the readiness queue (as two worker processes run it) with
 * one injected clock: the day's check starts once, at READINESS_LEAD_MINUTES before the NFO open the calendar gives,
 * never on a closed day, and before a special session on a day that is otherwise closed.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { readinessQueue, READINESS_QUEUE } from "@/lib/queues/readiness";
import { invalidateCalendarCache } from "@/lib/services/calendar";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { startQueueWorker } from "@/lib/testing/queue-worker";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitUntil } from "@/lib/testing/wait";
import { istInstant } from "@/lib/trading/calendar";
import { makeReadinessProcessor } from "./readiness";

const INSTANCES = instanceConfigs(1, "sched");
const world = useIntegrationWorld(INSTANCES);

describe("the readiness schedule", () => {
  it("starts the day's check once across two workers at the lead time before the open, and not on closed days", async () => {
    const owner = await makeUser("TRADER");
    await linkAccounts(world.sim, owner, INSTANCES);
    await db().marketSession.deleteMany({});
    invalidateCalendarCache();
    const clock = { now: 0 };
    // Each worker has its own processor, as each worker process would; the clock is the only thing they share.
    for (let i = 0; i < 2; i++) {
      const processor = makeReadinessProcessor({ now: () => new Date(clock.now), feedWaitMs: 100, clockProbes: 1 });
      world.stopAfterTest(await startQueueWorker(READINESS_QUEUE, processor, 2));
    }
    const q = readinessQueue();
    /** Four schedule ticks at `at` (a minute's job from each of two workers, twice over), run to the end. */
    const ticks = async (at: number) => {
      clock.now = at;
      await Promise.all(Array.from({ length: 4 }, () => q.add("schedule", {})));
      await waitUntil(
        async () => {
          const c = await q.getJobCounts("waiting", "active", "delayed", "prioritized");
          return c.waiting + c.active + c.delayed + c.prioritized === 0;
        },
        60_000,
        "readiness jobs to finish",
      );
      const failed = await q.getJobs(["failed"]);
      expect(failed.map((j) => j.failedReason)).toEqual([]);
      return db().readinessCheck.findMany({ where: { trigger: "schedule" }, orderBy: { checkedAt: "asc" } });
    };

    // Tuesday 8 Dec 2026, a normal session from 09:15 IST: due at 08:45 with the default 30 minutes' lead.
    expect(await ticks(istInstant("2026-12-08", "08:44:59"))).toHaveLength(0);
    const first = await ticks(istInstant("2026-12-08", "08:45"));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      tradingDate: "2026-12-08",
      checkedAt: new Date(istInstant("2026-12-08", "08:45")),
    });
    expect(await ticks(istInstant("2026-12-08", "09:30"))).toHaveLength(1);

    // Christmas (the built-in holiday list) and a day an admin closed: no check.
    expect(await ticks(istInstant("2026-12-25", "08:50"))).toHaveLength(1);
    await db().marketSession.create({
      data: { tradingDate: "2026-12-09", exchange: "NFO", source: "ADMIN", closed: true, description: "Test closure" },
    });
    invalidateCalendarCache();
    expect(await ticks(istInstant("2026-12-09", "08:50"))).toHaveLength(1);

    // Sunday 13 Dec with a special evening session: due 30 minutes before it opens.
    await db().marketSession.create({
      data: {
        tradingDate: "2026-12-13",
        exchange: "NFO",
        source: "OPENALGO",
        closed: false,
        opensAt: new Date(istInstant("2026-12-13", "18:00")),
        closesAt: new Date(istInstant("2026-12-13", "19:00")),
        description: "Special session",
      },
    });
    invalidateCalendarCache();
    expect(await ticks(istInstant("2026-12-13", "17:29"))).toHaveLength(1);
    const special = await ticks(istInstant("2026-12-13", "17:30"));
    expect(special.map((r) => r.tradingDate)).toEqual(["2026-12-08", "2026-12-13"]);
  });
});
