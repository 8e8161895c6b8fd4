import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { redis } from "@/lib/redis";
import { closeConnections, resetState } from "@/lib/testing/fixtures";
import { waitUntil } from "@/lib/testing/wait";
import { queue } from "./queues";
import { QUEUES } from "./registry";
import { enqueuePeerRecovery, peerRecoveryJobId } from "./dispatch";
import { aliveWorkers, livenessKey, type PeerWatch, startWorkerLiveness, watchPeerLiveness } from "./liveness";

beforeEach(async () => {
  await resetState();
});
afterAll(async () => {
  await closeConnections();
});

/** A peer's liveness key that nobody refreshes (a worker that hangs or is SIGKILLed stops refreshing its key). */
const frozenPeer = (id: string) => redis().set(livenessKey(id), String(Date.now()));
/** The key expires, as a dead worker's does when its TTL runs out. */
const expire = (id: string) => redis().pexpire(livenessKey(id), 1);

/** Waits until the watch has completed a whole pass that started after this call (it has seen Redis as it is now). */
async function afterAFullPass(watch: PeerWatch) {
  const from = watch.passes();
  await waitUntil(() => watch.passes() >= from + 2, 10_000, "a full pass of the watch", 10);
}

describe("watching peer workers' liveness", () => {
  it("reports each peer it saw alive once its key expires or is deleted, once, never itself or a live peer", async () => {
    const stopSelf = await startWorkerLiveness("self");
    const stopLive = await startWorkerLiveness("live");
    const stopLeaving = await startWorkerLiveness("leaving");
    await frozenPeer("killed");
    const gone: string[] = [];
    const watch = watchPeerLiveness("self", async (id) => void gone.push(id), 20);
    try {
      await afterAFullPass(watch);
      expect(gone).toEqual([]);
      await expire("killed");
      await waitUntil(() => gone.includes("killed"), 10_000, "the killed peer reported", 10);
      // A peer that stops cleanly deletes its key: reported as well (its recovery then finds nothing to do).
      await stopLeaving();
      await waitUntil(() => gone.includes("leaving"), 10_000, "the stopped peer reported", 10);
      // More passes: nothing is reported twice, the live peer and the watcher itself never.
      await afterAFullPass(watch);
      expect(gone).toEqual(["killed", "leaving"]);
      expect((await aliveWorkers()).sort()).toEqual(["live", "self"]);
    } finally {
      watch.stop();
      await stopSelf();
      await stopLive();
    }
  });

  it("does not report a worker that was gone before the watch first looked (the recovery at start covers it)", async () => {
    await frozenPeer("early");
    await redis().del(livenessKey("early"));
    await frozenPeer("later");
    const gone: string[] = [];
    const watch = watchPeerLiveness("self", async (id) => void gone.push(id), 20);
    try {
      await afterAFullPass(watch);
      await expire("later");
      await waitUntil(() => gone.includes("later"), 10_000, "the later peer reported", 10);
      await afterAFullPass(watch);
      expect(gone).toEqual(["later"]);
    } finally {
      watch.stop();
    }
  });

  it("tries a report that failed again on the next pass", async () => {
    await frozenPeer("flaky");
    const calls: string[] = [];
    const watch = watchPeerLiveness(
      "self",
      async (id) => {
        calls.push(id);
        if (calls.length === 1) throw new Error("Redis hiccup");
      },
      20,
    );
    try {
      await afterAFullPass(watch);
      await expire("flaky");
      await waitUntil(() => calls.length >= 2, 10_000, "the report tried again", 10);
      await afterAFullPass(watch);
      expect(calls).toEqual(["flaky", "flaky"]);
    } finally {
      watch.stop();
    }
  });

  it("survivors that all notice one dead worker enqueue one recovery job for it", async () => {
    await Promise.all([enqueuePeerRecovery("dead-1"), enqueuePeerRecovery("dead-1")]);
    await enqueuePeerRecovery("dead-1");
    await enqueuePeerRecovery("dead-2");
    const jobs = await queue(QUEUES.dispatch).getJobs(["waiting", "delayed", "prioritized"], 0, 100);
    expect(jobs.map((j) => [j.id, j.name]).sort()).toEqual([
      [peerRecoveryJobId("dead-1"), "recover"],
      [peerRecoveryJobId("dead-2"), "recover"],
    ]);
  });
});
