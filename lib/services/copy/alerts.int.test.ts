/**
 * The copy alerts and the automatic pause (docs/copy-trading.md "Alerts and automatic pauses"): a child whose copies
 * the broker rejects, a child off its share, a limit that cut a copy. Real workers, the simulator over HTTP; the
 * sweep is also called directly (it is idempotent: the worker's own sweep may run meanwhile).
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { alertTitle } from "@/lib/services/alerts";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { startCopyPipeline, unitsReceived } from "@/lib/testing/copy-engine-kit";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { PAUSED_AFTER_REJECTIONS } from "./alerts";
import { syncCopyChild } from "./drift";
import { copySweep } from "./sweep";

const LOT = 65;
const CE = "NIFTY08DEC2624500CE";
const [MASTER, GOOD, POOR] = instanceConfigs(3, "cpa");
// Too little money for one lot: the broker rejects every buy (RMS margin).
const world = useIntegrationWorld([MASTER, GOOD, { ...POOR, capital: "100" }]);

const openAlert = (accountId: string, kind: string) =>
  db().alert.findFirst({ where: { accountId, kind, resolvedAt: null } });

/** Runs the sweep until `kind` is open for the account (the worker's own sweep may get there first). */
const alertRaised = (accountId: string, kind: string) =>
  waitFor(
    `${kind} alert`,
    async () => {
      await copySweep();
      return openAlert(accountId, kind);
    },
    (a) => a !== null,
  );

const buyLot = () => masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });

/** Waits until `n` copies into the account ended rejected; returns their reasons. */
async function rejectedCopies(accountId: string, n: number) {
  const rejected = await waitFor(
    `${n} rejected copies`,
    () => db().orderIntent.findMany({ where: { accountId, state: { in: ["rejected", "rejected_late"] } } }),
    (i) => i.length >= n,
  );
  return rejected.map((i) => i.reason);
}

describe("copy alerts (real workers, simulator over HTTP)", () => {
  it("a rejected child copy: the child's order rejected with the broker's reason and an alert, the other child filled; three in a row pause it, a resume starts the count again", async () => {
    const trader = await makeUser("TRADER");
    const [master, good, poor] = await linkAccounts(world.sim, trader, [MASTER, GOOD, POOR]);
    const groupId = await makeCopyGroup(trader, master.id, [{ accountId: good.id }, { accountId: poor.id }]);
    await startCopyPipeline(world);
    await buyLot();
    const [reason] = await rejectedCopies(poor.id, 1);
    expect(reason).toMatch(/Margin Exceeds/);
    await waitFor(
      "the other child filled",
      () => db().orderIntent.findMany({ where: { accountId: good.id } }),
      (i) => i.length === 1 && i[0].state === "filled",
    );
    // The event shows both children: one order each, the rejected one with the broker's reason on its intent.
    const event = await db().copyEvent.findFirstOrThrow({ where: { groupId } });
    expect(event.status).toBe("SENT");
    const intents = await db().orderIntent.findMany({ where: { runId: event.runId! } });
    expect(intents.find((i) => i.accountId === good.id)?.state).toBe("filled");
    expect(intents.find((i) => i.accountId === poor.id)).toMatchObject({ reason: expect.stringMatching(/Margin/) });
    const rejected = await alertRaised(poor.id, "copy_rejected");
    expect(rejected!.message).toContain("Margin Exceeds");
    // Titled by the broker's cause: a margin refusal reads as one, not as a network or account problem.
    expect(alertTitle(rejected!.kind, rejected!.cause)).toBe("Copy rejected: not enough margin");

    // Two more rejected copies in a row: the child is paused, with an alert.
    for (const n of [2, 3]) {
      await buyLot();
      await rejectedCopies(poor.id, n);
    }
    const paused = await waitFor(
      "the child paused",
      async () => {
        await copySweep();
        return db().copyChild.findUniqueOrThrow({ where: { groupId_accountId: { groupId, accountId: poor.id } } });
      },
      (c) => !c.enabled,
    );
    expect(paused.pausedReason).toBe(PAUSED_AFTER_REJECTIONS);
    expect(paused.pausedReason).toBe("paused after 3 rejected copies");
    expect(await openAlert(poor.id, "copy_child_paused")).toMatchObject({ cause: "margin" });
    expect(await db().auditLog.count({ where: { action: "copy.child.pause" } })).toBe(1);
    // While paused the child gets nothing; the good child goes on.
    await buyLot();
    await waitFor(
      "the good child's fourth lot",
      async () => unitsReceived(world.sim, GOOD, "BUY"),
      (u) => u === 4 * LOT,
    );
    expect(await db().orderIntent.count({ where: { accountId: poor.id } })).toBe(3);

    // Resumed: the count starts again, so one more rejection does not pause it.
    await db().copyChild.update({
      where: { groupId_accountId: { groupId, accountId: poor.id } },
      data: { enabled: true, pausedReason: null },
    });
    await buyLot();
    await rejectedCopies(poor.id, 4);
    await copySweep();
    const child = await db().copyChild.findUniqueOrThrow({
      where: { groupId_accountId: { groupId, accountId: poor.id } },
    });
    expect(child.enabled).toBe(true);
  });

  it("a child off its share after its orders settled raises copy_drift; sync now brings it back and resolves it", async () => {
    const trader = await makeUser("TRADER");
    const [master, good] = await linkAccounts(world.sim, trader, [MASTER, GOOD]);
    const groupId = await makeCopyGroup(trader, master.id, [{ accountId: good.id, enabled: false }]);
    await startCopyPipeline(world);
    await buyLot();
    await waitFor(
      "the fill recorded",
      () => db().copyEvent.findMany({ where: { groupId } }),
      (e) => e.length === 1 && e[0].status !== "PENDING",
    );
    // Paused, the child is expected to be off: no alert.
    await copySweep();
    expect(await openAlert(good.id, "copy_drift")).toBeNull();
    await db().copyChild.update({
      where: { groupId_accountId: { groupId, accountId: good.id } },
      data: { enabled: true, pausedReason: null },
    });
    const drift = await alertRaised(good.id, "copy_drift");
    expect(drift!.message).toContain(CE);
    await syncCopyChild(trader, groupId, { accountId: good.id }, null);
    await waitFor(
      "copy_drift resolved",
      async () => {
        await copySweep();
        return openAlert(good.id, "copy_drift");
      },
      (a) => a === null,
    );
    expect(unitsReceived(world.sim, GOOD, "BUY")).toBe(LOT);
  });

  it("a limit that cuts a copy raises copy_limit naming the limit", async () => {
    const trader = await makeUser("TRADER");
    const [master, good] = await linkAccounts(world.sim, trader, [MASTER, GOOD]);
    await makeCopyGroup(trader, master.id, [{ accountId: good.id, maxLotsPerOrder: 1 }]);
    await startCopyPipeline(world);
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: 3 * LOT });
    const alert = await waitFor(
      "copy_limit alert",
      () => openAlert(good.id, "copy_limit"),
      (a) => a !== null,
    );
    expect(alert!.message).toContain("cut to max 1 lots per order");
    expect(alert!.severity).toBe("INFO");
    await waitFor(
      "the cut copy sent",
      async () => unitsReceived(world.sim, GOOD, "BUY"),
      (u) => u > 0,
    );
    expect(unitsReceived(world.sim, GOOD, "BUY")).toBe(LOT);
  });
});
