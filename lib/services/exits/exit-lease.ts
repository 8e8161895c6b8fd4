import { randomUUID } from "node:crypto";
import { releaseExitLease, takeExitLease } from "@/lib/db/queries/exits";
import { log } from "@/lib/log";

const LEASE_MS = 15_000;

/** One driver per exit at a time: a lease on the exit row, renewed while the drive works. */
export interface ExitLease {
  /** Extends the lease; false once another driver holds it (a stalled driver whose lease lapsed). */
  renew: () => Promise<boolean>;
  /** Stops renewing and gives the lease up. */
  release: () => Promise<void>;
}

/** Takes the exit's lease for this drive, or null when another drive holds it. */
export async function takeLease(exitId: string, workerId: string): Promise<ExitLease | null> {
  // Unique per drive, not per process: two jobs of one exit in the same worker must not share the lease.
  const holder = `${workerId}:${randomUUID()}`;
  const renew = () => takeExitLease(exitId, holder, new Date(Date.now() + LEASE_MS));
  if (!(await renew())) return null;
  // Renewed while the drive waits on brokers, so a slow attempt keeps the exit; a dead process stops renewing.
  const keepAlive = setInterval(
    () => void renew().catch((err) => log().warn({ err, exitId }, "exit lease not renewed")),
    LEASE_MS / 3,
  );
  return {
    renew,
    release: async () => {
      clearInterval(keepAlive);
      await releaseExitLease(exitId, holder).catch((err) => log().warn({ err, exitId }, "exit lease not released"));
    },
  };
}
