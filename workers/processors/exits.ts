import { env } from "@/lib/env";
import { EXITS_QUEUE, exitsJobSchemas } from "@/lib/queues/exits";
import { typedProcessor } from "@/lib/queues/jobs";
import { driveExit, runSquareOff, sweepExits, type DriveOptions } from "@/lib/services/exits";

/**
 * Exits queue: `exit` (drive one exit until flat or its time budget ends), `sweep` (hand exits no worker drives to the
 * queue again) and `square-off` (start the exits of strategies whose square-off time has passed today; none while
 * MARKET_ALWAYS_OPEN, where sessions never close and MIS entries have no cut-off either: docs/calendar.md).
 */
export function makeExitProcessor(workerId: string, options: DriveOptions = {}) {
  return typedProcessor(EXITS_QUEUE, exitsJobSchemas, async (job) => {
    switch (job.name) {
      case "exit":
        return driveExit(job.data.exitId, workerId, options);
      case "sweep":
        return sweepExits(new Date());
      case "square-off":
        return env().MARKET_ALWAYS_OPEN ? { fired: {} } : runSquareOff(new Date());
    }
  });
}
