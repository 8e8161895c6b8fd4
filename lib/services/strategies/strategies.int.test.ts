import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { disconnectRedis } from "@/lib/redis";
import { jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { GET as listRoute, POST as createRoute } from "@/app/api/strategies/route";
import { DELETE as archiveRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/strategies/[id]/route";
import { POST as legsRoute } from "@/app/api/strategies/[id]/legs/route";
import { POST as previewRoute } from "@/app/api/strategies/[id]/preview/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { GET as runsRoute } from "@/app/api/runs/route";
import { GET as runRoute } from "@/app/api/runs/[id]/route";
import { GET as eventsRoute } from "@/app/api/runs/[id]/events/route";
import { publishRunEvent } from "@/lib/realtime/run-events";

beforeEach(resetState);
afterAll(async () => {
  await disconnectRedis();
  await disconnectDb();
});

const definition = {
  product: "NRML",
  sizing: { kind: "fixed" },
  marketCondition: "other_days",
  legs: [
    {
      underlying: "nifty",
      instrument: "options",
      expiry: "next_week",
      action: "SELL",
      optionType: "CE",
      strike: { kind: "ATM" },
      lots: 2,
      orderType: { kind: "LIMIT", price: "120.50" },
    },
  ],
};

describe("strategies API", () => {
  it("creates, reads, renames and archives; stores decimals exactly and normalises the underlying", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const res = await createRoute(jsonRequest("/api/strategies", { body: { name: "Short call", definition }, cookie }));
    expect(res.status).toBe(201);
    const { strategy } = await res.json();
    expect(strategy.definition.legs[0]).toMatchObject({
      underlying: "NIFTY",
      orderType: { kind: "LIMIT", price: "120.5" },
    });
    const renamed = await patchRoute(
      jsonRequest("/x", { method: "PATCH", body: { name: "Short call v2" }, cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect((await renamed.json()).strategy.name).toBe("Short call v2");
    await archiveRoute(jsonRequest("/x", { method: "DELETE", cookie }), paramsOf({ id: strategy.id }));
    expect((await (await listRoute(jsonRequest("/x", { cookie }))).json()).strategies).toEqual([]);
  });

  it("a PATCH changes only the fields it sends: renaming keeps the accounts, tags and definition", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    const mine = await db().tradingAccount.create({
      data: {
        ownerId: user.id,
        name: "mine",
        hostUrl: "http://127.0.0.1:1",
        wsUrl: "ws://127.0.0.1:1",
        apiKeyEnc: "v1.a.b.c",
        apiKeyLast4: "abcd",
      },
    });
    const body = { name: "Short call", definition, accountIds: [mine.id], accountTags: ["weekly", "core"] };
    const { strategy } = await (await createRoute(jsonRequest("/api/strategies", { body, cookie }))).json();
    const before = await db().strategy.findUniqueOrThrow({ where: { id: strategy.id } });
    expect(before).toMatchObject({ accountIds: [mine.id], accountTags: ["weekly", "core"], archived: false });

    const res = await patchRoute(
      jsonRequest("/x", { method: "PATCH", body: { name: "Renamed" }, cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(res.status).toBe(200);
    const after = await db().strategy.findUniqueOrThrow({ where: { id: strategy.id } });
    expect(after).toEqual({ ...before, name: "Renamed", updatedAt: after.updatedAt });
    expect((await res.json()).strategy).toMatchObject({
      name: "Renamed",
      accountIds: [mine.id],
      accountTags: ["weekly", "core"],
    });
  });

  it("names every invalid field of a definition, and refuses accounts that are not yours", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const bad = { ...definition, legs: [{ ...definition.legs[0], lots: 0, strike: { kind: "OTM", n: 99 } }] };
    const res = await createRoute(jsonRequest("/api/strategies", { body: { name: "", definition: bad }, cookie }));
    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()).error.fields).sort()).toEqual([
      "definition.legs.0.lots",
      "definition.legs.0.strike.n",
      "name",
    ]);
    const other = await db().tradingAccount.create({
      data: {
        ownerId: (await makeUser("TRADER")).id,
        name: "x",
        hostUrl: "http://127.0.0.1:1",
        wsUrl: "ws://127.0.0.1:1",
        apiKeyEnc: "v1.a.b.c",
        apiKeyLast4: "abcd",
      },
    });
    const stolen = await createRoute(
      jsonRequest("/api/strategies", { body: { name: "Mine", definition, accountIds: [other.id] }, cookie }),
    );
    expect(stolen.status).toBe(400);
    expect((await stolen.json()).error.fields).toEqual({ accountIds: ["Unknown account"] });
  });

  it("authorization sweep: another user's strategy and run ids are 404, no session 401, VIEWER writes 403", async () => {
    const owner = await makeUser("TRADER");
    const ownerCookie = await sessionCookie(owner);
    const { strategy } = await (
      await createRoute(jsonRequest("/api/strategies", { body: { name: "S", definition }, cookie: ownerCookie }))
    ).json();
    const run = await db().strategyRun.create({
      data: {
        id: crypto.randomUUID(),
        ownerId: owner.id,
        strategyId: strategy.id,
        kind: "STRATEGY",
        idempotencyKey: "k-123456789",
        triggeredAt: new Date(),
        plan: {},
      },
    });
    const stranger = await sessionCookie(await makeUser("TRADER"));
    const viewer = await sessionCookie(await makeUser("VIEWER"));
    const s = { id: strategy.id };
    const calls: [string, (c?: string) => Promise<Response>, boolean][] = [
      ["GET strategy", (c) => getRoute(jsonRequest("/x", { cookie: c }), paramsOf(s)), false],
      [
        "PATCH strategy",
        (c) => patchRoute(jsonRequest("/x", { method: "PATCH", body: { name: "Mine" }, cookie: c }), paramsOf(s)),
        true,
      ],
      ["DELETE strategy", (c) => archiveRoute(jsonRequest("/x", { method: "DELETE", cookie: c }), paramsOf(s)), true],
      [
        "POST legs",
        (c) => legsRoute(jsonRequest("/x", { body: { legs: definition.legs }, cookie: c }), paramsOf(s)),
        true,
      ],
      ["POST preview", (c) => previewRoute(jsonRequest("/x", { body: {}, cookie: c }), paramsOf(s)), false],
      [
        "POST execute",
        (c) => executeRoute(jsonRequest("/x", { body: { idempotencyKey: "abcdefgh-1" }, cookie: c }), paramsOf(s)),
        true,
      ],
      ["GET run", (c) => runRoute(jsonRequest("/x", { cookie: c }), paramsOf({ id: run.id })), false],
      ["GET events", (c) => eventsRoute(jsonRequest("/x", { cookie: c }), paramsOf({ id: run.id })), false],
    ];
    for (const [name, call, write] of calls) {
      expect([name, (await call()).status]).toEqual([name, 401]);
      expect([name, (await call(stranger)).status]).toEqual([name, 404]);
      expect([name, (await call(viewer)).status]).toEqual([name, write ? 403 : 404]);
    }
    expect((await (await runsRoute(jsonRequest("/x", { cookie: stranger }))).json()).runs).toEqual([]);
    expect(
      (await (await runsRoute(jsonRequest("/x", { cookie: ownerCookie }))).json()).runs.map(
        (r: { id: string }) => r.id,
      ),
    ).toEqual([run.id]);
    expect((await db().strategy.findUniqueOrThrow({ where: { id: strategy.id } })).name).toBe("S");
  });

  it("concurrent adjustments: every added leg is kept, each caller gets its own legs' indices, past the limit is a 400", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const { strategy } = await (
      await createRoute(jsonRequest("/api/strategies", { body: { name: "Adjusted", definition }, cookie }))
    ).json();
    // 24 parallel requests of one leg each, told apart by their lots; the strategy has 1 leg and room for 19 more.
    const base = definition.legs[0];
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        legsRoute(
          jsonRequest("/x", { body: { legs: [{ ...base, lots: 100 + i }] }, cookie }),
          paramsOf({ id: strategy.id }),
        ),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    const stored = (await (await getRoute(jsonRequest("/x", { cookie }), paramsOf({ id: strategy.id }))).json())
      .strategy.definition.legs as { lots: number }[];
    expect(stored).toHaveLength(20);
    const told = new Map<number, number>();
    for (const [i, res] of responses.entries()) {
      const body = await res.json();
      if (res.status === 400) {
        expect(body.error.fields).toEqual({ legs: ["At most 0 more"] });
        continue;
      }
      expect(body.addedLegIndexes).toHaveLength(1);
      told.set(100 + i, body.addedLegIndexes[0]);
    }
    // Every index a caller was given holds that caller's leg, and no two callers were given the same index.
    for (const [lots, index] of told) expect([lots, stored[index].lots]).toEqual([lots, lots]);
    expect(new Set(told.values()).size).toBe(19);
    expect(
      stored
        .slice(1)
        .map((l) => l.lots)
        .sort(),
    ).toEqual([...told.keys()].sort());
  });

  it("streams a run's events to its owner as Server-Sent Events", async () => {
    const owner = await makeUser("TRADER");
    const run = await db().strategyRun.create({
      data: {
        id: crypto.randomUUID(),
        ownerId: owner.id,
        kind: "TICKET",
        idempotencyKey: "k-sse-000001",
        triggeredAt: new Date(),
        plan: {},
      },
    });
    const abort = new AbortController();
    const req = new Request(`http://127.0.0.1:3000/api/runs/${run.id}/events`, {
      headers: { cookie: await sessionCookie(owner) },
      signal: abort.signal,
    });
    const res = await eventsRoute(req, paramsOf({ id: run.id }));
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain("retry: 2000");
    const event = { type: "run" as const, runId: run.id, status: "COMPLETED" as const, at: new Date().toISOString() };
    await publishRunEvent(event);
    while (!text.includes("data: ")) text += new TextDecoder().decode((await reader.read()).value);
    const frame = text.split("\n").find((l) => l.startsWith("data: "))!;
    expect(JSON.parse(frame.slice(6))).toEqual(event);
    abort.abort();
    await reader.cancel();
  });
});
