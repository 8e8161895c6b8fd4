/**
 * The calendar queue as the worker runs it: registering its jobs (what a worker start does) schedules the periodic
 * refresh and asks for one now, and the real BullMQ worker's processor reads the linked account's OpenAlgo calendar
 * into `market_sessions`.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { CALENDAR_QUEUE, CALENDAR_REFRESH_MS, calendarQueue, scheduleCalendarJobs } from "@/lib/queues/calendar";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { startQueueWorker } from "@/lib/testing/queue-worker";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { processCalendarJob } from "./calendar";

const INSTANCES = instanceConfigs(1, "calq");
const world = useIntegrationWorld(INSTANCES);

describe("the calendar queue", () => {
  it("a worker start schedules the refresh every three hours and runs one at once", async () => {
    await linkAccounts(world.sim, await makeUser("TRADER"), INSTANCES);
    const worker = world.stopAfterTest(await startQueueWorker(CALENDAR_QUEUE, processCalendarJob));
    const now = new Date();
    await scheduleCalendarJobs(now);
    // Two workers starting in the same minute ask for one refresh, not two.
    await scheduleCalendarJobs(new Date(Math.floor(now.getTime() / 60_000) * 60_000));

    const [scheduler] = await calendarQueue().getJobSchedulers();
    expect(scheduler).toMatchObject({ key: "calendar:refresh", every: CALENDAR_REFRESH_MS });
    const started = await waitFor(
      "the start refresh done",
      async () => (await calendarQueue().getJobs(["completed"])).filter((j) => j.id?.startsWith("calendar_start_")),
      (jobs) => jobs.length > 0,
    );
    expect(started).toHaveLength(1);
    const rows = await db().marketSession.count({ where: { source: "OPENALGO" } });
    expect(rows).toBeGreaterThan(50);
    expect(started[0].returnvalue).toMatchObject({ ok: true, accountName: "acct 001 calq1", rows });
    expect(worker.errors).toEqual([]);
  });
});
