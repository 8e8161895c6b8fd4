/**
 * The calendar queue (docs/calendar.md): `refresh` reads holidays, special sessions and today's timings from the
 * market-data accounts' OpenAlgo into `market_sessions` (at worker start and every few hours).
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { ONE_SHOT_JOB, SCHEDULED_JOB } from "./jobs";

export const CALENDAR_QUEUE = "calendar";

export const calendarJobSchemas = {
  refresh: z.object({}).strict(),
};
export type CalendarJobName = keyof typeof calendarJobSchemas;
export type CalendarQueueData = z.infer<(typeof calendarJobSchemas)[CalendarJobName]>;
export const calendarQueue = () => queue<CalendarQueueData, CalendarJobName>(CALENDAR_QUEUE);

export const CALENDAR_REFRESH_MS = 3 * 60 * 60 * 1000;

/** Registers the periodic refresh and asks for one now (a worker start), so a restarted worker reads a fresh calendar. */
export async function scheduleCalendarJobs(now: Date = new Date()): Promise<void> {
  await upsertScheduler(CALENDAR_QUEUE, "calendar:refresh", CALENDAR_REFRESH_MS, {
    name: "refresh",
    data: {},
    opts: SCHEDULED_JOB,
  });
  // One per minute at most, however many workers start together.
  await calendarQueue().add(
    "refresh",
    {},
    { ...ONE_SHOT_JOB, jobId: `calendar_start_${Math.floor(now.getTime() / 60_000)}` },
  );
}
