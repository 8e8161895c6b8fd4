import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { jsonRequest, makeUser, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { masterPlace } from "@/lib/testing/copy-kit";
import { GET as LIST, POST as CREATE } from "@/app/api/copy-groups/route";
import { DELETE, GET, PATCH } from "@/app/api/copy-groups/[id]/route";
import { PUT as PUT_CHILD } from "@/app/api/copy-groups/[id]/children/[accountId]/route";
import { startCopying } from "./baseline";

const INSTANCES = instanceConfigs(4, "cgm");
const world = useIntegrationWorld(INSTANCES);

type Handler = (req: Request, p: ReturnType<typeof paramsOf>) => Promise<Response>;
async function call(h: Handler, cookie: string, method: string, p: Record<string, string> = {}, body?: unknown) {
  const res = await h(jsonRequest("/x", { method, body, cookie }), paramsOf(p));
  return { status: res.status, json: await res.json() };
}

async function setup() {
  const owner = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, owner, INSTANCES);
  return { owner, cookie: await sessionCookie(owner), ids: accounts.map((a) => a.id) };
}

const group = (master: string, children: string[], extra: Record<string, unknown> = {}) => ({
  name: `group of ${master.slice(0, 8)}`,
  masterAccountId: master,
  children: children.map((accountId) => ({ accountId, multiplier: "0.5" })),
  ...extra,
});

describe("copy groups: create, baseline, read", () => {
  it("creates a group over the master's books as they are: orders and open positions become the baseline", async () => {
    const { cookie, ids } = await setup();
    const master = INSTANCES[0];
    world.sim.broker.setFaults(master.id, { holdRestingOrders: true });
    const filled = await masterPlace(world.sim, master, {
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 10,
      product: "MIS",
    });
    const resting = await masterPlace(world.sim, master, {
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 5,
      product: "MIS",
      pricetype: "LIMIT",
      price: 1,
    });

    const res = await call(
      CREATE,
      cookie,
      "POST",
      {},
      {
        ...group(ids[0], [ids[1], ids[2]]),
        name: "Main → family",
        mode: "ORDERS",
        products: ["NRML", "MIS"],
        allowSymbols: [" nifty ", "BANKNIFTY", "NIFTY"],
        windowStart: "09:20",
        windowEnd: "15:00",
      },
    );
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      name: "Main → family",
      masterAccountId: ids[0],
      masterAccountName: expect.stringContaining(master.id),
      mode: "ORDERS",
      enabled: true,
      exchanges: ["NFO", "BFO"],
      products: ["NRML", "MIS"],
      allowSymbols: ["NIFTY", "BANKNIFTY"],
      windowStart: "09:20",
      lastEvent: null,
    });
    // Children added together share a timestamp: they are listed by account id then.
    expect(
      res.json.children.map((c: { accountId: string; multiplier: string }) => [c.accountId, c.multiplier]),
    ).toEqual(
      [
        [ids[1], "0.5"],
        [ids[2], "0.5"],
      ].sort(([a], [b]) => a.localeCompare(b)),
    );

    const orders = await db().copyMasterOrder.findMany({
      where: { groupId: res.json.id },
      orderBy: { quantity: "asc" },
    });
    expect(
      orders.map((o) => [o.masterOrderId, o.ignoredReason, o.status, o.quantity, o.filledQty, o.priceType]),
    ).toEqual([
      [resting, "baseline", "open", 5, 0, "LIMIT"],
      [filled, "baseline", "complete", 10, 10, "MARKET"],
    ]);
    const positions = await db().copyPosition.findMany({ where: { groupId: res.json.id } });
    expect(positions.map((p) => [p.symbol, p.product, p.masterQty, p.uncopiedQty])).toEqual([["SBIN", "MIS", 10, 10]]);
    const row = await db().copyGroup.findUniqueOrThrow({ where: { id: res.json.id } });
    expect(row.startedAt.getTime()).toBeLessThanOrEqual(Date.now());

    // Again: nothing new, nothing overwritten (the engine's own count of the position stays).
    await db().copyPosition.updateMany({ where: { groupId: res.json.id }, data: { masterQty: 20 } });
    expect(await startCopying(res.json.id)).toEqual({ orders: 0, positions: 0 });
    expect((await db().copyPosition.findFirstOrThrow({ where: { groupId: res.json.id } })).masterQty).toBe(20);

    const audit = await db().auditLog.findMany({ where: { entity: "copyGroup" } });
    expect(audit.map((a) => a.action)).toEqual(["copyGroup.create"]);
    expect(audit[0].details).toMatchObject({ masterAccountId: ids[0], baseline: { orders: 2, positions: 1 } });
    expect(JSON.stringify(audit[0].details)).not.toContain(master.apiKey);
  });

  it("refuses a master that cannot be read (409 naming it) and stores nothing", async () => {
    const { cookie, ids } = await setup();
    await db().tradingAccount.update({ where: { id: ids[0] }, data: { hostUrl: "http://127.0.0.1:9/" } });
    const res = await call(CREATE, cookie, "POST", {}, group(ids[0], [ids[1]]));
    expect(res.status).toBe(409);
    expect(res.json.error.message).toMatch(/could not be read.*Nothing was saved/);
    expect(Object.keys(res.json.error.fields)).toEqual(["masterAccountId"]);
    expect(await db().copyGroup.count()).toBe(0);
    expect(await db().auditLog.count({ where: { entity: "copyGroup" } })).toBe(0);
  });

  it("lists and reads groups with their children; viewers read, strangers get 404", async () => {
    const { owner, cookie, ids } = await setup();
    const created = await call(CREATE, cookie, "POST", {}, group(ids[0], [ids[1]]));
    const id = created.json.id as string;
    const list = await call(LIST, cookie, "GET");
    expect(list.json.groups.map((g: { id: string }) => g.id)).toEqual([id]);
    expect(list.json.groups[0].children[0]).toMatchObject({
      accountId: ids[1],
      rounding: "DOWN",
      accountStatus: "CONNECTED",
    });

    const viewer = await makeUser("VIEWER");
    await db().viewerTrader.create({ data: { viewerId: viewer.id, traderId: owner.id } });
    const viewerCookie = await sessionCookie(viewer);
    expect((await call(GET, viewerCookie, "GET", { id })).status).toBe(200);
    expect((await call(LIST, viewerCookie, "GET")).json.groups).toHaveLength(1);
    expect((await call(PATCH, viewerCookie, "PATCH", { id }, { name: "mine now" })).status).toBe(403);
    expect((await call(DELETE, viewerCookie, "DELETE", { id })).status).toBe(403);

    const stranger = await sessionCookie(await makeUser("TRADER"));
    expect((await call(GET, stranger, "GET", { id })).status).toBe(404);
    expect((await call(LIST, stranger, "GET")).json.groups).toEqual([]);
    expect((await call(PATCH, stranger, "PATCH", { id }, { name: "mine now" })).status).toBe(404);
    expect((await call(DELETE, stranger, "DELETE", { id })).status).toBe(404);
    // A stranger cannot use the owner's accounts in a group of their own either.
    const theirs = await call(CREATE, stranger, "POST", {}, group(ids[2], [ids[3]]));
    expect(theirs.status).toBe(400);
    expect(Object.keys(theirs.json.error.fields).sort()).toEqual(["children.0.accountId", "masterAccountId"]);

    const admin = await sessionCookie(await makeUser("ADMIN"));
    const renamed = await call(PATCH, admin, "PATCH", { id }, { name: "renamed by admin" });
    expect(renamed.status).toBe(200);
    expect(renamed.json.name).toBe("renamed by admin");
    // The admin adds a child from the group owner's accounts, not their own.
    expect((await call(PUT_CHILD, admin, "PUT", { id, accountId: ids[2] }, { multiplier: 2 })).status).toBe(200);
    expect((await db().copyGroup.findUniqueOrThrow({ where: { id } })).name).toBe("renamed by admin");
  });
});

describe("copy groups: validation", () => {
  it("names every bad field in the 400 and stores nothing", async () => {
    const { cookie, ids } = await setup();
    const bad = {
      name: " ",
      masterAccountId: "nope",
      mode: "MIRROR",
      exchanges: ["NFO", "NYSE"],
      products: ["BO"],
      allowSymbols: Array.from({ length: 51 }, (_, i) => `S${i}`),
      denySymbols: ["NIFTY 50"],
      windowStart: "9:20",
      windowEnd: "24:00",
      extra: true,
      children: [
        { accountId: ids[1], multiplier: 0 },
        { accountId: ids[2], multiplier: "100.5" },
        { accountId: ids[3], multiplier: "0.12345", rounding: "HALF", maxLotsPerOrder: 0, maxOpenLots: 1.5 },
        { accountId: ids[3], multiplier: "1", reverse: "yes" },
      ],
    };
    const res = await call(CREATE, cookie, "POST", {}, bad);
    expect(res.status).toBe(400);
    expect(Object.keys(res.json.error.fields).sort()).toEqual(
      [
        "_",
        "allowSymbols",
        "children.0.multiplier",
        "children.1.multiplier",
        "children.2.maxLotsPerOrder",
        "children.2.maxOpenLots",
        "children.2.multiplier",
        "children.2.rounding",
        "children.3.reverse",
        "denySymbols.0",
        "exchanges.1",
        "masterAccountId",
        "mode",
        "name",
        "products.0",
        "windowEnd",
        "windowStart",
      ].sort(),
    );
    expect(res.json.error.fields["children.2.multiplier"]).toEqual(["At most 4 decimal places"]);
    expect(res.json.error.fields["children.1.multiplier"]).toEqual(["Must be more than 0 and at most 100"]);

    const twice = await call(CREATE, cookie, "POST", {}, group(ids[0], [ids[1], ids[1]]));
    expect(twice.json.error.fields).toEqual({ "children.1.accountId": ["This account is listed twice"] });
    const oneEnd = await call(CREATE, cookie, "POST", {}, group(ids[0], [ids[1]], { windowStart: "09:20" }));
    expect(oneEnd.json.error.fields).toEqual({ windowEnd: ["Set both ends of the window, or neither"] });
    const inverted = await call(
      CREATE,
      cookie,
      "POST",
      {},
      group(ids[0], [ids[1]], { windowStart: "15:00", windowEnd: "09:15" }),
    );
    expect(inverted.json.error.fields).toEqual({ windowEnd: ["Must be later than the start"] });
    await db().tradingAccount.update({ where: { id: ids[2] }, data: { active: false } });
    const inactive = await call(CREATE, cookie, "POST", {}, group(ids[0], [ids[2]]));
    expect(inactive.status).toBe(400);
    expect(Object.keys(inactive.json.error.fields)).toEqual(["children.0.accountId"]);
    expect(await db().copyGroup.count()).toBe(0);
  });

  it("refuses a second group of the same name (409), a master or mode change (409), an inverted window (400)", async () => {
    const { cookie, ids } = await setup();
    const first = await call(CREATE, cookie, "POST", {}, group(ids[0], [ids[1]], { name: "Main" }));
    const id = first.json.id as string;
    const again = await call(CREATE, cookie, "POST", {}, group(ids[2], [ids[3]], { name: "Main" }));
    expect(again.status).toBe(409);
    expect(again.json.error.fields).toEqual({ name: ["Already used"] });
    const other = await call(CREATE, cookie, "POST", {}, group(ids[2], [ids[3]], { name: "Other" }));
    expect((await call(PATCH, cookie, "PATCH", { id: other.json.id }, { name: "Main" })).status).toBe(409);

    const master = await call(PATCH, cookie, "PATCH", { id }, { masterAccountId: ids[2] });
    expect(master.status).toBe(409);
    expect(master.json.error.message).toMatch(/create a new group/);
    expect(Object.keys(master.json.error.fields)).toEqual(["masterAccountId"]);
    const mode = await call(PATCH, cookie, "PATCH", { id }, { mode: "ORDERS" });
    expect(mode.status).toBe(409);
    expect(Object.keys(mode.json.error.fields)).toEqual(["mode"]);
    // The same values sent back by a form are fine.
    const same = await call(
      PATCH,
      cookie,
      "PATCH",
      { id },
      { masterAccountId: ids[0], mode: "FILLS", windowStart: "10:00", windowEnd: "14:00" },
    );
    expect(same.status).toBe(200);
    const inverted = await call(PATCH, cookie, "PATCH", { id }, { windowStart: "14:30" });
    expect(inverted.status).toBe(400);
    expect(inverted.json.error.fields).toEqual({ windowEnd: ["Must be later than the start"] });

    const changed = await call(PATCH, cookie, "PATCH", { id }, { denySymbols: ["banknifty"], exchanges: ["NFO"] });
    expect(changed.json).toMatchObject({ denySymbols: ["BANKNIFTY"], exchanges: ["NFO"], windowStart: "10:00" });
    const updates = await db().auditLog.findMany({
      where: { action: "copyGroup.update", entityId: id },
      orderBy: { id: "asc" },
    });
    expect(updates.map((u) => u.details)).toEqual([
      { changed: { windowStart: { from: null, to: "10:00" }, windowEnd: { from: null, to: "14:00" } } },
      { changed: { denySymbols: { from: [], to: ["BANKNIFTY"] }, exchanges: { from: ["NFO", "BFO"], to: ["NFO"] } } },
    ]);
  });
});
