import type { Job } from "bullmq";
import { exitJobSchema, exitSweepJobSchema } from "@/lib/queues/jobs";
import { driveExit, runSquareOff, sweepExits, type DriveOptions } from "@/lib/services/exits";

/**
 * Exits queue: `exit` (drive one exit until flat or its time budget ends), `sweep` (hand exits no worker drives to the
 * queue again) and `square-off` (start the exits of strategies whose square-off time has passed today).
 */
export function makeExitProcessor(workerId: string, options: DriveOptions = {}) {
  return async function processExitJob(job: Job): Promise<unknown> {
    switch (job.name) {
      case "exit": {
        const { exitId } = exitJobSchema.parse(job.data);
        return driveExit(exitId, workerId, options);
      }
      case "sweep":
        exitSweepJobSchema.parse(job.data);
        return sweepExits(new Date());
      case "square-off":
        exitSweepJobSchema.parse(job.data);
        return runSquareOff(new Date());
      default:
        throw new Error(`unknown exits job ${job.name}`);
    }
  };
}
