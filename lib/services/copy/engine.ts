/**
 * The copy engine (docs/copy-trading.md "Detection", "Events, runs and exactly once"): `scanGroup` detects and records
 * what changed in a group's master book, then hands the group's pending events on as one COPY run. One scan per
 * group at a time in this process (a request during a scan runs it once more after) and, for efficiency only,
 * across processes (a Redis lock with a token): correctness rests on the compare-and-set records.
 */
import { randomUUID } from "node:crypto";
import { findScanGroup } from "@/lib/db/queries/copy-engine";
import { copyRunInFlight } from "@/lib/db/queries/copy-events";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";
import { handOnEvents, type HandOnResult } from "./hand-on";
import { detectAndRecord, type DetectionResult, type ScanSource } from "./record";

export type { ScanSource } from "./record";

const LOCK_MS = 15_000;
/** How often a hand-on waiting on the group's run in flight looks again, and for how long at most, ms. */
const FOLLOW_EVERY_MS = 20;
const FOLLOW_FOR_MS = 15_000;

const lockKey = (groupId: string) => `copy:scan:${groupId}`;
const againKey = (groupId: string) => `copy:scan-again:${groupId}`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface ScanResult extends DetectionResult {
  handOn: HandOnResult | null;
}

interface Running {
  promise: Promise<ScanResult | null>;
  again: boolean;
  source: ScanSource;
}
const running = new Map<string, Running>();
const following = new Set<string>();

/** One detection and hand-on of the group; null when the group is gone or another process holds its scan. */
async function scanOnce(groupId: string, source: ScanSource): Promise<ScanResult | null> {
  const token = randomUUID();
  if ((await redis().set(lockKey(groupId), token, "PX", LOCK_MS, "NX")) !== "OK") {
    // The holder scans once more when it finishes (it may have read the book before this change).
    await redis().set(againKey(groupId), "1", "PX", LOCK_MS);
    if ((await redis().set(lockKey(groupId), token, "PX", LOCK_MS, "NX")) !== "OK") return null;
  }
  try {
    let result: ScanResult | null = null;
    do {
      const group = await findScanGroup(groupId);
      if (!group) return null;
      const detection = await detectAndRecord(group, source);
      const handOn = await handOnEvents(group);
      result = { ...detection, handOn };
      if (handOn.waiting) follow(groupId);
    } while ((await redis().del(againKey(groupId))) > 0);
    return result;
  } finally {
    await redis().eval(RELEASE, 1, lockKey(groupId), token);
  }
}

/**
 * Scans the group now (in this process). Concurrent requests share the scan in progress and make it run once more
 * after, so a push that arrives mid-scan is never lost.
 */
export function scanGroup(groupId: string, source: ScanSource): Promise<ScanResult | null> {
  const current = running.get(groupId);
  if (current) {
    // The scan once more is this request's: what it finds is labelled with this request's source.
    current.again = true;
    current.source = source;
    return current.promise;
  }
  const entry: Running = { promise: Promise.resolve(null), again: false, source };
  entry.promise = (async () => {
    try {
      let result: ScanResult | null;
      do {
        entry.again = false;
        result = await scanOnce(groupId, entry.source);
      } while (entry.again);
      return result;
    } finally {
      running.delete(groupId);
    }
  })();
  running.set(groupId, entry);
  return entry.promise;
}

/** Hands the group's events on as soon as its run in flight is acknowledged (the poll would, a tick later). */
function follow(groupId: string): void {
  if (following.has(groupId)) return;
  following.add(groupId);
  void (async () => {
    const until = Date.now() + FOLLOW_FOR_MS;
    try {
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, FOLLOW_EVERY_MS));
        if (await copyRunInFlight(groupId)) continue;
        // Under the scan's locks, so two hand-ons never race; the scan also finds what changed meanwhile.
        following.delete(groupId);
        await scanGroup(groupId, "poll");
        return;
      }
    } catch (err) {
      log().warn({ err, groupId }, "copy hand-on follow-up failed; the poll hands on");
    } finally {
      following.delete(groupId);
    }
  })();
}
