/**
 * The readiness routes through their real handlers: "Check now" answers 202 and marks the accounts running on the
 * board at once; the readiness worker's result then replaces the mark. Another owner's account is a 404.
 */
import { describe, expect, it } from "vitest";
import { READINESS_QUEUE } from "@/lib/queues/readiness";
import type { ReadinessBoardJson } from "@/lib/services/readiness";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { jsonRequest, makeUser, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { startQueueWorker } from "@/lib/testing/queue-worker";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { makeReadinessProcessor } from "@/workers/processors/readiness";
import { GET } from "./route";
import { POST } from "./check/route";

const INSTANCES = instanceConfigs(2, "rdr");
const world = useIntegrationWorld(INSTANCES);

const board = async (cookie: string) =>
  (await (await GET(jsonRequest("/api/readiness", { cookie }))).json()) as ReadinessBoardJson;

describe("readiness routes", () => {
  it("Check now: 202, the account shows as running, then its result arrives", async () => {
    const trader = await makeUser("TRADER");
    const [mine] = await linkAccounts(world.sim, trader, INSTANCES.slice(0, 1));
    const cookie = await sessionCookie(trader);

    const res = await POST(jsonRequest("/api/readiness/check", { cookie, body: {} }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accountIds: [mine.id] });
    const before = await board(cookie);
    expect(before.accounts).toHaveLength(1);
    expect(before.accounts[0]).toMatchObject({ accountId: mine.id, running: true, check: null, canRun: true });
    expect(before.schedule).toMatch(
      /^(Scheduled check at \d\d:\d\d IST, 30 min before the NFO open|No scheduled check today: NFO closed.*)$/,
    );

    const worker = world.stopAfterTest(
      await startQueueWorker(READINESS_QUEUE, makeReadinessProcessor({ feedWaitMs: 100, clockProbes: 1 }), 2),
    );
    const after = await waitFor(
      "the check's result on the board",
      () => board(cookie),
      (b) => !b.accounts[0].running && b.accounts[0].check !== null,
    );
    expect(after.accounts[0].check).toMatchObject({ trigger: "manual", isToday: true });
    expect(after.accounts[0].check!.items.map((i) => i.check)).toEqual([
      "session",
      "funds",
      "feed",
      "contracts",
      "calendar",
      "clock",
    ]);
    expect(worker.errors).toEqual([]);
  });

  it("another owner's account is not found; a malformed id names the field; an admin may check everyone's", async () => {
    const [owner, other, admin] = [await makeUser("TRADER"), await makeUser("TRADER"), await makeUser("ADMIN")];
    const [a] = await linkAccounts(world.sim, owner, INSTANCES.slice(0, 1));
    const [b] = await linkAccounts(world.sim, other, INSTANCES.slice(1, 2));
    const cookie = await sessionCookie(other);
    const theirs = await POST(jsonRequest("/api/readiness/check", { cookie, body: { accountIds: [a.id] } }));
    expect(theirs.status).toBe(404);
    const bad = await POST(jsonRequest("/api/readiness/check", { cookie, body: { accountIds: ["x"] } }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("accountIds");
    expect((await board(cookie)).accounts.map((r) => r.accountId)).toEqual([b.id]);

    const all = await POST(jsonRequest("/api/readiness/check", { cookie: await sessionCookie(admin), body: {} }));
    expect(all.status).toBe(202);
    expect(((await all.json()) as { accountIds: string[] }).accountIds.sort()).toEqual([a.id, b.id].sort());
  });
});
