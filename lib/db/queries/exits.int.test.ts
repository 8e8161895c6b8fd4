import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resolveAlertsNow } from "@/lib/db/queries/alerts";
import { claimAccount, insertOrJoinExit, refreshExitStatus, updateExitAccounts } from "@/lib/db/queries/exits";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";

beforeEach(async () => {
  await resetState();
});
afterAll(async () => {
  await closeConnections();
});

async function accounts(ownerId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await db().tradingAccount.create({
      data: {
        id,
        ownerId,
        name: `acct ${i}`,
        hostUrl: "http://127.0.0.1:5055",
        wsUrl: "ws://127.0.0.1:8765",
        apiKeyEnc: "not-used",
        apiKeyLast4: "0000",
      },
    });
    ids.push(id);
  }
  return ids;
}

async function newExit(ownerId: string, accountIds: string[], target = `account-set:${randomUUID()}`) {
  const { id } = await db().$transaction((tx) =>
    insertOrJoinExit(
      tx,
      { ownerId, scope: "OWNER", reason: "MANUAL", targetKey: target, requestedBy: null },
      accountIds,
    ),
  );
  return id;
}

const rowsOf = async (exitId: string) =>
  new Map((await db().exitAccount.findMany({ where: { exitId } })).map((r) => [r.accountId, r]));

describe("exit progress written for several accounts at once", () => {
  it("one statement serving accounts that ask together gives each its own change; the claim goes only where asked", async () => {
    const owner = await makeUser("TRADER");
    const [a, b, c, d] = await accounts(owner.id, 4);
    const exitId = await newExit(owner.id, [a, b, c, d]);
    for (const id of [a, b, c, d]) expect(await claimAccount(exitId, id)).toBe(true);
    await updateExitAccounts(exitId, [a, b, c, d], { failuresDelta: 2, message: "before" });
    const runId = randomUUID();
    const next = new Date(Date.now() + 60_000);

    // Asked in the same tick: the first runs alone, the others share the next statement.
    await Promise.all([
      updateExitAccounts(exitId, [a], {
        status: "DONE",
        message: "flat",
        nextAttemptAt: null,
        resetFailures: true,
        releaseClaim: true,
      }),
      updateExitAccounts(exitId, [b], {
        failuresDelta: 1,
        status: "FAILED",
        message: "refused",
        nextAttemptAt: next,
        releaseClaim: true,
      }),
      updateExitAccounts(exitId, [c], { currentRunId: runId, pendingRunKey: null, attemptsDelta: 1 }),
      updateExitAccounts(exitId, [d], { pendingRunKey: "exit:key" }),
      // A second write of d asked at the same moment applies after the first.
      updateExitAccounts(exitId, [d], { message: "second", releaseClaim: true }),
    ]);

    const rows = await rowsOf(exitId);
    expect(rows.get(a)).toMatchObject({ status: "DONE", message: "flat", failures: 0, nextAttemptAt: null });
    expect(rows.get(a)!.finishedAt).not.toBeNull();
    expect(rows.get(b)).toMatchObject({ status: "FAILED", message: "refused", failures: 3, finishedAt: null });
    expect(rows.get(b)!.nextAttemptAt?.getTime()).toBe(next.getTime());
    expect(rows.get(c)).toMatchObject({
      status: "PENDING",
      message: "before",
      failures: 2,
      attempts: 1,
      currentRunId: runId,
    });
    expect(rows.get(d)).toMatchObject({ status: "PENDING", message: "second", failures: 2, pendingRunKey: "exit:key" });
    const claimed = (await db().exitClaim.findMany({ where: { exitId } })).map((r) => r.accountId);
    expect(claimed).toEqual([c]);
  });

  it("status refreshes of several exits asked together each get their own exit's status", async () => {
    const owner = await makeUser("TRADER");
    const [a, b, c] = await accounts(owner.id, 3);
    const done = await newExit(owner.id, [a]);
    const failed = await newExit(owner.id, [b]);
    const pending = await newExit(owner.id, [c]);
    await updateExitAccounts(done, [a], { status: "DONE" });
    await updateExitAccounts(failed, [b], { status: "FAILED" });
    const statuses = await Promise.all([done, failed, pending, done].map((id) => refreshExitStatus(id)));
    expect(statuses).toEqual(["DONE", "FAILED", "PENDING", "DONE"]);
    const exits = new Map((await db().exit.findMany()).map((e) => [e.id, e]));
    expect(exits.get(done)).toMatchObject({ status: "DONE" });
    expect(exits.get(done)!.finishedAt).not.toBeNull();
    expect(exits.get(failed)).toMatchObject({ status: "FAILED", finishedAt: null });
    expect(exits.get(pending)).toMatchObject({ status: "PENDING", finishedAt: null });
    await expect(refreshExitStatus(randomUUID())).rejects.toThrow(/not found/);
  });

  it("alert resolutions asked together resolve only each account's alerts of the kind asked", async () => {
    const owner = await makeUser("TRADER");
    const [a, b, c] = await accounts(owner.id, 3);
    const alert = (accountId: string, kind: string) =>
      db().alert.create({
        data: { ownerId: owner.id, accountId, kind, severity: "CRITICAL", message: `${kind} ${accountId}` },
      });
    const [ea, eb, ec, oa] = [
      await alert(a, "exit_failed"),
      await alert(b, "exit_failed"),
      await alert(c, "exit_failed"),
      await alert(a, "account_down"),
    ];
    const at = new Date("2026-12-07T10:00:00Z");
    const later = new Date("2026-12-07T10:00:05Z");
    await Promise.all([
      resolveAlertsNow({ accountId: a, kind: "exit_failed" }, at),
      resolveAlertsNow({ accountId: b, kind: "exit_failed" }, later),
      resolveAlertsNow({ accountId: a, kind: "exit_failed" }, later),
    ]);
    const resolved = new Map((await db().alert.findMany()).map((r) => [r.id, r.resolvedAt?.getTime() ?? null]));
    expect(resolved.get(ea.id)).toBe(at.getTime());
    expect(resolved.get(eb.id)).toBe(later.getTime());
    expect(resolved.get(ec.id)).toBeNull();
    expect(resolved.get(oa.id)).toBeNull();
  });
});
