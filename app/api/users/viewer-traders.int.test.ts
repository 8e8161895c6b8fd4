import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { GET as listUsersRoute } from "@/app/api/users/route";
import { PATCH as patchUserRoute } from "@/app/api/users/[id]/route";
import { PUT as attachRoute } from "@/app/api/users/[id]/traders/route";
import { GET as accountsRoute } from "@/app/api/accounts/route";
import {
  DELETE as deleteAccountRoute,
  GET as accountRoute,
  PATCH as patchAccountRoute,
} from "@/app/api/accounts/[id]/route";
import { GET as strategiesRoute, POST as createStrategyRoute } from "@/app/api/strategies/route";
import { GET as strategyRoute, PATCH as patchStrategyRoute } from "@/app/api/strategies/[id]/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { GET as runsRoute } from "@/app/api/runs/route";
import { GET as runRoute } from "@/app/api/runs/[id]/route";

beforeEach(resetState);
afterAll(closeConnections);

const definition = {
  product: "NRML",
  sizing: { kind: "fixed" },
  marketCondition: "other_days",
  legs: [
    {
      underlying: "NIFTY",
      instrument: "options",
      expiry: "next_week",
      action: "SELL",
      optionType: "CE",
      strike: { kind: "ATM" },
      lots: 1,
      orderType: { kind: "MARKET" },
    },
  ],
};

/** A trader with one account, one strategy and one run. */
async function desk(name: string) {
  const trader = await makeUser("TRADER");
  const cookie = await sessionCookie(trader);
  const account = await db().tradingAccount.create({
    data: {
      ownerId: trader.id,
      name,
      hostUrl: "http://127.0.0.1:1",
      wsUrl: "ws://127.0.0.1:1",
      apiKeyEnc: "v1.a.b.c",
      apiKeyLast4: "abcd",
    },
  });
  const created = await createStrategyRoute(
    jsonRequest("/api/strategies", {
      body: { name: `${name} strategy`, definition, accountIds: [account.id] },
      cookie,
    }),
  );
  const { strategy } = await created.json();
  const run = await db().strategyRun.create({
    data: {
      id: crypto.randomUUID(),
      ownerId: trader.id,
      strategyId: strategy.id,
      kind: "STRATEGY",
      idempotencyKey: `k-${name}-0001`,
      triggeredAt: new Date(),
      plan: {},
    },
  });
  return { trader, account, strategy: strategy as { id: string }, run };
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

async function attach(adminCookie: string, viewerId: string, traderIds: string[]) {
  return attachRoute(
    jsonRequest("/x", { method: "PUT", body: { traderIds }, cookie: adminCookie }),
    paramsOf({ id: viewerId }),
  );
}

describe("viewer attached to traders", () => {
  it("reads exactly the attached trader's accounts, strategies and runs, and gets 403 on every write", async () => {
    const adminCookie = await sessionCookie(await makeUser("ADMIN"));
    const a = await desk("alpha");
    const b = await desk("beta");
    const viewer = await makeUser("VIEWER");
    const cookie = await sessionCookie(viewer);
    const read = async (call: Promise<Response>) => (await call).json();

    expect((await read(accountsRoute(jsonRequest("/x", { cookie })))).accounts).toEqual([]);
    expect((await attach(adminCookie, viewer.id, [a.trader.id])).status).toBe(200);

    expect(ids((await read(accountsRoute(jsonRequest("/x", { cookie })))).accounts)).toEqual([a.account.id]);
    expect((await accountRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a.account.id }))).status).toBe(200);
    expect((await accountRoute(jsonRequest("/x", { cookie }), paramsOf({ id: b.account.id }))).status).toBe(404);
    expect(ids((await read(strategiesRoute(jsonRequest("/x", { cookie })))).strategies)).toEqual([a.strategy.id]);
    expect((await strategyRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a.strategy.id }))).status).toBe(200);
    expect((await strategyRoute(jsonRequest("/x", { cookie }), paramsOf({ id: b.strategy.id }))).status).toBe(404);
    expect(ids((await read(runsRoute(jsonRequest("/x", { cookie })))).runs)).toEqual([a.run.id]);
    expect((await runRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a.run.id }))).status).toBe(200);
    expect((await runRoute(jsonRequest("/x", { cookie }), paramsOf({ id: b.run.id }))).status).toBe(404);

    const writes: [string, () => Promise<Response>][] = [
      [
        "PATCH account",
        () =>
          patchAccountRoute(
            jsonRequest("/x", { method: "PATCH", body: { name: "mine now" }, cookie }),
            paramsOf({ id: a.account.id }),
          ),
      ],
      [
        "DELETE account",
        () => deleteAccountRoute(jsonRequest("/x", { method: "DELETE", cookie }), paramsOf({ id: a.account.id })),
      ],
      [
        "PATCH strategy",
        () =>
          patchStrategyRoute(
            jsonRequest("/x", { method: "PATCH", body: { name: "mine now" }, cookie }),
            paramsOf({ id: a.strategy.id }),
          ),
      ],
      [
        "POST execute",
        () =>
          executeRoute(
            jsonRequest("/x", { body: { idempotencyKey: "abcdefgh-1" }, cookie }),
            paramsOf({ id: a.strategy.id }),
          ),
      ],
    ];
    for (const [name, call] of writes) expect([name, (await call()).status]).toEqual([name, 403]);
    expect(await db().tradingAccount.findUniqueOrThrow({ where: { id: a.account.id } })).toMatchObject({
      name: "alpha",
      active: true,
    });
    expect((await db().strategy.findUniqueOrThrow({ where: { id: a.strategy.id } })).name).toBe("alpha strategy");
    expect(await db().strategyRun.count()).toBe(2);

    // Detaching takes effect on the viewer's very next request, with the same session.
    expect((await attach(adminCookie, viewer.id, [])).status).toBe(200);
    expect((await read(accountsRoute(jsonRequest("/x", { cookie })))).accounts).toEqual([]);
    expect((await accountRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a.account.id }))).status).toBe(404);
  });

  it("only an admin attaches, only a viewer to traders; the list shows it, the audit log records it, a re-role drops it", async () => {
    const admin = await makeUser("ADMIN");
    const adminCookie = await sessionCookie(admin);
    const trader = await makeUser("TRADER");
    const viewer = await makeUser("VIEWER");

    expect((await attach(await sessionCookie(trader), viewer.id, [trader.id])).status).toBe(403);
    expect((await attach(await sessionCookie(viewer), viewer.id, [trader.id])).status).toBe(403);

    const notTrader = await attach(adminCookie, viewer.id, [admin.id]);
    expect(notTrader.status).toBe(400);
    expect((await notTrader.json()).error.fields).toEqual({ traderIds: ["Not a trader"] });
    const notViewer = await attach(adminCookie, trader.id, [trader.id]);
    expect(notViewer.status).toBe(400);
    expect((await notViewer.json()).error.fields).toEqual({ role: ["Not a viewer"] });
    const badId = await attach(adminCookie, viewer.id, ["nope"]);
    expect(badId.status).toBe(400);
    expect(Object.keys((await badId.json()).error.fields)).toEqual(["traderIds.0"]);
    expect(await db().viewerTrader.count()).toBe(0);

    expect(await (await attach(adminCookie, viewer.id, [trader.id, trader.id])).json()).toEqual({
      traderIds: [trader.id],
    });
    const { users } = await (await listUsersRoute(jsonRequest("/x", { cookie: adminCookie }))).json();
    const byId = new Map(users.map((u: { id: string; viewsTraderIds: string[] }) => [u.id, u.viewsTraderIds]));
    expect([byId.get(viewer.id), byId.get(trader.id), byId.get(admin.id)]).toEqual([[trader.id], [], []]);
    const audit = await db().auditLog.findMany({ where: { action: "user.viewer_traders" } });
    expect(audit.map((r) => [r.actorId, r.entityId, r.details])).toEqual([
      [admin.id, viewer.id, { traderIds: [trader.id] }],
    ]);

    const rerole = await patchUserRoute(
      jsonRequest("/x", { method: "PATCH", body: { role: "TRADER" }, cookie: adminCookie }),
      paramsOf({ id: viewer.id }),
    );
    expect(rerole.status).toBe(200);
    expect(await db().viewerTrader.count()).toBe(0);
  });
});
