import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { makeUser, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { callRoute } from "@/lib/testing/copy-kit";
import { POST as CREATE } from "@/app/api/copy-groups/route";
import { DELETE, GET } from "@/app/api/copy-groups/[id]/route";
import { POST as PAUSE } from "@/app/api/copy-groups/[id]/pause/route";
import { POST as RESUME } from "@/app/api/copy-groups/[id]/resume/route";
import { DELETE as REMOVE_CHILD, PUT as PUT_CHILD } from "@/app/api/copy-groups/[id]/children/[accountId]/route";
import { POST as PAUSE_CHILD } from "@/app/api/copy-groups/[id]/children/[accountId]/pause/route";
import { POST as RESUME_CHILD } from "@/app/api/copy-groups/[id]/children/[accountId]/resume/route";

const INSTANCES = instanceConfigs(5, "cgc");
const world = useIntegrationWorld(INSTANCES);

const call = callRoute;

async function setup() {
  const owner = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, owner, INSTANCES.slice(0, 4));
  const [A, B, C, D] = accounts.map((a) => a.id);
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  return { owner, cookie: await sessionCookie(owner), A, B, C, D, name: (id: string) => names.get(id)! };
}

let n = 0;
const group = (master: string, children: string[]) => ({
  name: `group ${(n += 1)}`,
  masterAccountId: master,
  children: children.map((accountId) => ({ accountId, multiplier: "1" })),
});

const auditActions = async (groupId: string) =>
  (await db().auditLog.findMany({ where: { entityId: groupId }, orderBy: { id: "asc" } })).map((a) => a.action);

describe("copy groups: cycles", () => {
  it("refuses a master that is its own child, A copies B copies A, and longer loops, naming the accounts", async () => {
    const { cookie, A, B, C, D, name } = await setup();
    const self = await call(CREATE, cookie, "POST", {}, group(A, [B, A]));
    expect(self.status).toBe(409);
    expect(self.json.error.message).toBe(`${name(A)} is this group's master and cannot also be its child`);
    expect(Object.keys(self.json.error.fields)).toEqual(["children.1.accountId"]);

    const ab = await call(CREATE, cookie, "POST", {}, group(A, [B]));
    expect(ab.status).toBe(201);
    // A paused group still counts: resuming it must not close a loop.
    expect((await call(PAUSE, cookie, "POST", { id: ab.json.id }, {})).status).toBe(200);
    const ba = await call(CREATE, cookie, "POST", {}, group(B, [D, A]));
    expect(ba.status).toBe(409);
    expect(ba.json.error.message).toBe(`Copying would go round in a circle: ${name(B)} → ${name(A)} → ${name(B)}`);
    expect(Object.keys(ba.json.error.fields)).toEqual(["children.1.accountId"]);

    const bc = await call(CREATE, cookie, "POST", {}, group(B, [C]));
    expect(bc.status).toBe(201);
    const ca = await call(CREATE, cookie, "POST", {}, group(C, [A]));
    expect(ca.status).toBe(409);
    expect(ca.json.error.message).toContain(`${name(C)} → ${name(A)} → ${name(B)} → ${name(C)}`);

    // The same through adding a child to a stored group; and the master as a child of its own group.
    const viaChild = await call(PUT_CHILD, cookie, "PUT", { id: bc.json.id, accountId: A }, { multiplier: 1 });
    expect(viaChild.status).toBe(409);
    expect(Object.keys(viaChild.json.error.fields)).toEqual(["accountId"]);
    const masterChild = await call(PUT_CHILD, cookie, "PUT", { id: bc.json.id, accountId: B }, { multiplier: 1 });
    expect(masterChild.status).toBe(409);
    // Branches that never come back are fine: A → C directly as well as through B.
    expect((await call(PUT_CHILD, cookie, "PUT", { id: ab.json.id, accountId: C }, { multiplier: 1 })).status).toBe(
      200,
    );
    expect(await db().copyGroup.count()).toBe(2);
    expect(await db().copyChild.count()).toBe(3);
  });

  it("two saves at once cannot close a loop between them", async () => {
    const { cookie, A, B } = await setup();
    const [one, two] = await Promise.all([
      call(CREATE, cookie, "POST", {}, group(A, [B])),
      call(CREATE, cookie, "POST", {}, group(B, [A])),
    ]);
    expect([one.status, two.status].sort()).toEqual([201, 409]);
    expect(await db().copyGroup.count()).toBe(1);
  });
});

describe("copy groups: children, pause and resume, delete", () => {
  it("adds, changes, pauses, resumes and removes a child, each change audited once", async () => {
    const { owner, cookie, A, B, C } = await setup();
    const created = await call(CREATE, cookie, "POST", {}, group(A, [B]));
    const id = created.json.id as string;

    const added = await call(PUT_CHILD, cookie, "PUT", { id, accountId: C }, { multiplier: "0.25", maxOpenLots: 4 });
    expect(added.status).toBe(200);
    expect(added.json.children.find((c: { accountId: string }) => c.accountId === C)).toMatchObject({
      multiplier: "0.25",
      rounding: "DOWN",
      maxOpenLots: 4,
      maxLotsPerOrder: null,
      enabled: true,
    });
    const changed = await call(
      PUT_CHILD,
      cookie,
      "PUT",
      { id, accountId: C },
      { multiplier: 2, rounding: "UP", reverse: true },
    );
    expect(changed.json.children[1]).toMatchObject({
      multiplier: "2",
      rounding: "UP",
      reverse: true,
      maxOpenLots: null,
    });
    expect(
      (await call(PUT_CHILD, cookie, "PUT", { id, accountId: C }, { multiplier: "2.0", rounding: "UP", reverse: true }))
        .status,
    ).toBe(200);

    const paused = await call(PAUSE_CHILD, cookie, "POST", { id, accountId: C }, { reason: "  margin is short " });
    expect(paused.json.children[1]).toMatchObject({ enabled: false, pausedReason: "margin is short" });
    const resumed = await call(RESUME_CHILD, cookie, "POST", { id, accountId: C });
    expect(resumed.json.children[1]).toMatchObject({ enabled: true, pausedReason: null });
    const byDefault = await call(PAUSE_CHILD, cookie, "POST", { id, accountId: B }, {});
    expect(byDefault.json.children[0]).toMatchObject({ enabled: false, pausedReason: "Paused by hand" });

    const removed = await call(REMOVE_CHILD, cookie, "DELETE", { id, accountId: C });
    expect(removed.json.children.map((c: { accountId: string }) => c.accountId)).toEqual([B]);
    expect((await call(REMOVE_CHILD, cookie, "DELETE", { id, accountId: C })).status).toBe(404);
    expect((await call(PAUSE_CHILD, cookie, "POST", { id, accountId: C }, {})).status).toBe(404);

    const bad = await call(PUT_CHILD, cookie, "PUT", { id, accountId: C }, { multiplier: "-1", maxLotsPerOrder: "3" });
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(["maxLotsPerOrder", "multiplier"]);
    const badParams = await call(PUT_CHILD, cookie, "PUT", { id, accountId: "C" }, { multiplier: 1 });
    expect(Object.keys(badParams.json.error.fields)).toEqual(["accountId"]);
    const stranger = await makeUser("TRADER");
    const [theirs] = await linkAccounts(world.sim, stranger, [INSTANCES[4]]);
    const notOwned = await call(PUT_CHILD, cookie, "PUT", { id, accountId: theirs.id }, { multiplier: 1 });
    expect(notOwned.status).toBe(400);
    expect(notOwned.json.error.fields).toEqual({ accountId: ["Not one of the owner's accounts"] });

    expect(await auditActions(id)).toEqual([
      "copyGroup.create",
      "copyChild.add",
      "copyChild.update",
      "copyChild.pause",
      "copyChild.resume",
      "copyChild.pause",
      "copyChild.remove",
    ]);
    const update = await db().auditLog.findFirstOrThrow({ where: { action: "copyChild.update" } });
    expect(update.details).toEqual({
      accountId: C,
      changed: {
        multiplier: { from: "0.25", to: "2" },
        rounding: { from: "DOWN", to: "UP" },
        maxOpenLots: { from: 4, to: null },
        reverse: { from: false, to: true },
      },
    });
    expect(update.actorId).toBe(owner.id);
  });

  it("pauses and resumes the group with its reason", async () => {
    const { cookie, A, B } = await setup();
    const id = (await call(CREATE, cookie, "POST", {}, group(A, [B]))).json.id as string;
    const paused = await call(PAUSE, cookie, "POST", { id }, { reason: "expiry day" });
    expect(paused.json).toMatchObject({ enabled: false, pausedReason: "expiry day" });
    expect((await call(PAUSE, cookie, "POST", { id }, { reason: "" })).json.error.fields).toEqual({
      reason: ["Enter a reason or leave it out"],
    });
    const resumed = await call(RESUME, cookie, "POST", { id });
    expect(resumed.json).toMatchObject({ enabled: true, pausedReason: null });
    expect(await auditActions(id)).toEqual(["copyGroup.create", "copyGroup.pause", "copyGroup.resume"]);
    const resume = await db().auditLog.findFirstOrThrow({ where: { action: "copyGroup.resume" } });
    expect(resume.details).toEqual({ pausedReason: "expiry day" });
  });

  it("deletes the group: its children, baseline and log go, its runs stay in history", async () => {
    const { owner, cookie, A, B } = await setup();
    const id = (await call(CREATE, cookie, "POST", {}, group(A, [B]))).json.id as string;
    const run = await db().strategyRun.create({
      data: {
        id: randomUUID(),
        ownerId: owner.id,
        kind: "COPY",
        idempotencyKey: `copy-${id}`,
        triggeredAt: new Date(),
        plan: {},
        copyGroupId: id,
      },
    });
    await db().copyEvent.create({
      data: {
        groupId: id,
        masterOrderId: "M1",
        seq: 1,
        kind: "FILL",
        symbol: "X",
        exchange: "NFO",
        product: "NRML",
        action: "BUY",
        quantity: 65,
        source: "poll",
        status: "SENT",
        runId: run.id,
        legIndex: 0,
      },
    });
    const res = await call(DELETE, cookie, "DELETE", { id });
    expect(res).toEqual({ status: 200, json: { id, deleted: true } });
    expect((await call(GET, cookie, "GET", { id })).status).toBe(404);
    expect((await call(DELETE, cookie, "DELETE", { id })).status).toBe(404);
    expect(await db().copyChild.count()).toBe(0);
    expect(await db().copyEvent.count()).toBe(0);
    expect(await db().strategyRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ copyGroupId: null });
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "copyGroup.delete" } });
    expect(audit.details).toMatchObject({ masterAccountId: A, children: [B] });
  });
});
