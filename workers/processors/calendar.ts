import { CALENDAR_QUEUE, calendarJobSchemas } from "@/lib/queues/calendar";
import { typedProcessor } from "@/lib/queues/jobs";
import { refreshCalendar } from "@/lib/services/calendar";

/** Calendar queue: `refresh` reads holidays, special sessions and the coming days' timings from OpenAlgo. */
export const processCalendarJob = typedProcessor(CALENDAR_QUEUE, calendarJobSchemas, async (job) => {
  switch (job.name) {
    case "refresh":
      return refreshCalendar(new Date());
  }
});
