import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { jsonRequest, makeUser, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeCopyGroup } from "@/lib/testing/copy-kit";
import { GET as LOG } from "@/app/api/copy-groups/[id]/log/route";
import type { CopyLogPageJson } from "./types";

const INSTANCES = instanceConfigs(3, "cgl");
const world = useIntegrationWorld(INSTANCES);

async function page(cookie: string, id: string, query = "") {
  const res = await LOG(jsonRequest(`/api/copy-groups/${id}/log${query}`, { cookie }), paramsOf({ id }));
  return { status: res.status, json: await res.json() };
}

const T0 = Date.parse("2026-12-07T04:00:00.000Z");

/** A group with a COPY run whose leg 0 carries one FILL event into two children, and some older and newer events. */
async function world3() {
  const owner = await makeUser("TRADER");
  const [A, B, C] = await linkAccounts(world.sim, owner, INSTANCES);
  const groupId = await makeCopyGroup(owner, A.id, [
    { accountId: B.id, multiplier: "2" },
    { accountId: C.id, multiplier: "0.5" },
  ]);
  const runId = randomUUID();
  await db().strategyRun.create({
    data: {
      id: runId,
      ownerId: owner.id,
      kind: "COPY",
      idempotencyKey: runId,
      triggeredAt: new Date(T0),
      plan: {},
      copyGroupId: groupId,
    },
  });
  const intent = (sliceIndex: number, over: Record<string, unknown>) => ({
    id: `md${randomUUID().replace(/-/g, "").slice(0, 13)}`,
    runId,
    accountId: B.id,
    legIndex: 0,
    sliceIndex,
    phase: 1,
    symbol: "NIFTY08DEC2624500CE",
    exchange: "NFO",
    action: "BUY",
    product: "NRML",
    priceType: "MARKET",
    quantity: 65,
    ...over,
  });
  await db().orderIntent.createMany({
    data: [
      intent(0, {
        state: "filled",
        filledQuantity: 65,
        averagePrice: "100",
        acknowledgedAt: new Date(T0 + 180),
        brokerOrderId: "B-1",
      }),
      intent(1, {
        state: "filled",
        filledQuantity: 65,
        averagePrice: "102",
        acknowledgedAt: new Date(T0 + 240),
        brokerOrderId: "B-2",
      }),
      // Another leg of the same run (another event): never mixed into this one.
      intent(0, { legIndex: 1, state: "rejected", brokerOrderId: "B-9" }),
    ],
  });
  const event = (seq: number, at: number, over: Record<string, unknown> = {}) => ({
    groupId,
    masterOrderId: "M-1",
    seq,
    kind: "FILL" as const,
    symbol: "NIFTY08DEC2624500CE",
    exchange: "NFO",
    product: "NRML",
    action: "BUY",
    quantity: 65,
    source: "stream",
    detectedAt: new Date(at),
    status: "SKIPPED" as const,
    reason: "group paused",
    ...over,
  });
  const sent = await db().copyEvent.create({
    data: event(1, T0, {
      status: "SENT",
      reason: null,
      runId,
      legIndex: 0,
      masterBefore: 0,
      masterAfter: 65,
      price: "99.5",
      children: [
        { accountId: B.id, action: "BUY", quantity: 130, reason: null },
        { accountId: C.id, action: "BUY", quantity: 0, reason: "0 lots after rounding" },
      ],
    }),
  });
  // Two events detected in the same millisecond (the id breaks the tie), an older one, and one of another symbol.
  await db().copyEvent.createMany({
    data: [
      event(2, T0 + 1_000),
      event(3, T0 + 1_000),
      event(4, T0 - 5_000, { kind: "SYNC", masterOrderId: "sync:x", source: "sync" }),
      event(5, T0 + 2_000, { symbol: "BANKNIFTY08DEC2652000PE", status: "FAILED", reason: "contract unknown" }),
    ],
  });
  return { owner, groupId, sentId: sent.id, A, B, C, cookie: await sessionCookie(owner) };
}

describe("the copy log", () => {
  it("shows each event with its children's orders from the event's leg: quantity or reason, state, fills, price, latency", async () => {
    const { groupId, sentId, B, C, cookie } = await world3();
    const { status, json } = await page(cookie, groupId, "?kind=FILL&status=SENT");
    expect(status).toBe(200);
    const body = json as CopyLogPageJson;
    expect(body.nextCursor).toBeNull();
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      id: sentId,
      kind: "FILL",
      status: "SENT",
      price: "99.5",
      masterBefore: 0,
      masterAfter: 65,
      source: "stream",
      detectedAt: new Date(T0).toISOString(),
    });
    // In the group's order (tested below); by name here.
    const byName = [...body.items[0].children].sort((a, b) => a.accountName.localeCompare(b.accountName));
    expect(byName).toEqual([
      {
        accountId: B.id,
        accountName: B.name,
        action: "BUY",
        quantity: 130,
        reason: null,
        outcome: null,
        brokerReason: null,
        price: null,
        triggerPrice: null,
        state: "filled",
        filledQuantity: 130,
        averagePrice: "101",
        latencyMs: 240,
        brokerOrderIds: ["B-1", "B-2"],
        combined: null,
      },
      {
        accountId: C.id,
        accountName: C.name,
        action: "BUY",
        quantity: 0,
        reason: "0 lots after rounding",
        outcome: null,
        brokerReason: null,
        price: null,
        triggerPrice: null,
        state: null,
        filledQuantity: 0,
        averagePrice: null,
        latencyMs: null,
        brokerOrderIds: [],
        combined: null,
      },
    ]);
  });

  it("an order that carried several events is shown with each as that one order, not as each event's own", async () => {
    const { groupId, B, C, cookie } = await world3();
    // Leg 1 of the run carries two fills of another contract: B's shares (65 + 130) went out as ONE BUY 195 (two
    // slices), C's (BUY 65, SELL 65) netted to zero and sent nothing.
    const run = await db().strategyRun.findFirstOrThrow({ where: { copyGroupId: groupId } });
    const PE = "NIFTY08DEC2624000PE";
    await db().orderIntent.createMany({
      data: [130, 65].map((quantity, sliceIndex) => ({
        id: `md${randomUUID().replace(/-/g, "").slice(0, 13)}`,
        runId: run.id,
        accountId: B.id,
        legIndex: 2,
        sliceIndex,
        phase: 1,
        symbol: PE,
        exchange: "NFO",
        action: "BUY",
        product: "NRML",
        priceType: "MARKET",
        quantity,
        state: "filled",
        filledQuantity: quantity,
        averagePrice: "50",
        acknowledgedAt: new Date(T0 + 10_300),
        brokerOrderId: `P-${sliceIndex}`,
      })),
    });
    // As the hand-on stores them: each event's own shares, annotated with the child's one order of the leg.
    const children = (share: number, c: { action: "BUY" | "SELL"; quantity: number }) => [
      {
        accountId: B.id,
        action: "BUY",
        quantity: share,
        reason: null,
        combined: { events: 2, action: "BUY", quantity: 195 },
      },
      {
        accountId: C.id,
        ...c,
        reason: "netted to zero with 1 other event",
        combined: { events: 2, action: "BUY", quantity: 0 },
      },
    ];
    for (const [seq, share, c] of [
      [1, 65, { action: "BUY" as const, quantity: 65 }],
      [2, 130, { action: "SELL" as const, quantity: 65 }],
    ] as const)
      await db().copyEvent.create({
        data: {
          groupId,
          masterOrderId: `P-${seq}`,
          seq: 1,
          kind: "FILL",
          symbol: PE,
          exchange: "NFO",
          product: "NRML",
          action: "BUY",
          quantity: 65,
          source: "stream",
          detectedAt: new Date(T0 + 10_000 + seq),
          status: "SENT",
          runId: run.id,
          legIndex: 2,
          children: children(share, c),
        },
      });
    const body = (await page(cookie, groupId, `?symbol=${PE}`)).json as CopyLogPageJson;
    expect(body.items.map((i) => i.masterOrderId)).toEqual(["P-2", "P-1"]);
    for (const [item, share] of [
      [body.items[0], 130],
      [body.items[1], 65],
    ] as const) {
      // Children are listed in the group's order (by account id when added together): found by account.
      const b = item.children.find((x) => x.accountId === B.id);
      const c = item.children.find((x) => x.accountId === C.id);
      // Each event keeps its own share; the order's state, fills and ids are the one order's, named as such.
      expect(b).toMatchObject({
        quantity: share,
        state: "filled",
        filledQuantity: 195,
        averagePrice: "50",
        brokerOrderIds: ["P-0", "P-1"],
        combined: { events: 2, action: "BUY", quantity: 195 },
      });
      expect(c).toMatchObject({
        quantity: 65,
        state: null,
        reason: "netted to zero with 1 other event",
        combined: { events: 2, action: "BUY", quantity: 0 },
      });
    }
    expect(body.items[1].children.find((x) => x.accountId === B.id)!.latencyMs).toBe(299);
  });

  it("pages newest first by (detectedAt, id) without losing or repeating events, and filters", async () => {
    const { groupId, cookie } = await world3();
    const all = (await page(cookie, groupId, "?limit=200")).json as CopyLogPageJson;
    expect(all.items).toHaveLength(5);
    const order = all.items.map((i) => `${i.detectedAt}|${i.id}`);
    expect(order).toEqual([...order].sort().reverse());
    expect(all.items.map((i) => i.seq).filter((s) => s !== 2 && s !== 3)).toEqual([5, 1, 4]);

    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const next = (await page(cookie, groupId, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`))
        .json as CopyLogPageJson;
      expect(next.items.length).toBeLessThanOrEqual(2);
      seen.push(...next.items.map((i) => i.id));
      cursor = next.nextCursor;
    }
    expect(seen).toEqual(all.items.map((i) => i.id));

    const bySymbol = (await page(cookie, groupId, "?symbol=banknifty08dec2652000pe")).json as CopyLogPageJson;
    expect(bySymbol.items.map((i) => [i.seq, i.status, i.reason])).toEqual([[5, "FAILED", "contract unknown"]]);
    expect(((await page(cookie, groupId, "?kind=SYNC")).json as CopyLogPageJson).items.map((i) => i.seq)).toEqual([4]);
    const skipped = (await page(cookie, groupId, "?status=SKIPPED")).json as CopyLogPageJson;
    expect(skipped.items.map((i) => i.seq).sort()).toEqual([2, 3, 4]);
  });

  it("gives a MODIFY and a CANCEL the order as it stood before, each child's outcome, in the group's order", async () => {
    const { groupId, B, C, cookie } = await world3();
    const change = (
      seq: number,
      kind: "PLACE" | "MODIFY" | "CANCEL",
      over: { quantity: number } & Record<string, unknown>,
    ) => ({
      groupId,
      masterOrderId: "M-7",
      seq,
      kind,
      symbol: "NIFTY08DEC2624500CE",
      exchange: "NFO",
      product: "NRML",
      action: "BUY",
      source: "poll",
      detectedAt: new Date(T0 + 10_000 + seq),
      status: "SENT" as const,
      priceType: "LIMIT",
      ...over,
    });
    const slice = (did: string, detail: string | null) => ({ intentId: "i", brokerOrderId: "b", did, detail });
    await db().copyEvent.createMany({
      data: [
        change(1, "PLACE", { quantity: 130, price: "101.5" }),
        // The engine stores children in its own order: the log lists them as the group does.
        change(2, "MODIFY", {
          quantity: 195,
          price: "102",
          children: [
            {
              accountId: C.id,
              action: "BUY",
              quantity: 0,
              reason: "a larger share is not placed",
              outcome: "noted",
              slices: [],
            },
            {
              accountId: B.id,
              action: "BUY",
              quantity: 390,
              reason: null,
              outcome: "modified",
              slices: [slice("modified", null)],
            },
          ],
        }),
        change(3, "CANCEL", {
          quantity: 0,
          price: "102",
          status: "FAILED",
          children: [
            {
              accountId: B.id,
              action: "BUY",
              quantity: 0,
              reason: "Invalid openalgo apikey",
              outcome: "failed",
              slices: [],
            },
            {
              accountId: C.id,
              action: "BUY",
              quantity: 65,
              reason: null,
              outcome: "noted",
              slices: [slice("done", "filled")],
            },
          ],
        }),
      ],
    });
    const body = (await page(cookie, groupId, "?symbol=NIFTY08DEC2624500CE&limit=3")).json as CopyLogPageJson;
    const [cancel, modify, placed] = body.items;
    expect([cancel.kind, modify.kind, placed.kind]).toEqual(["CANCEL", "MODIFY", "PLACE"]);
    const before = { quantity: 130, priceType: "LIMIT", price: "101.5", triggerPrice: null };
    expect(modify.previous).toEqual(before);
    expect(cancel.previous).toEqual({ ...before, quantity: 195, price: "102" });
    expect(placed.previous).toBeNull();
    const groupOrder = (
      await db().copyChild.findMany({ where: { groupId }, orderBy: [{ createdAt: "asc" }, { accountId: "asc" }] })
    ).map((c) => c.accountId);
    const inGroupOrder = <T extends unknown[]>(rows: Record<string, T>) => groupOrder.map((id) => rows[id]);
    const outcomes = (e: typeof cancel) => e.children.map((c) => [c.accountName, c.outcome, c.quantity, c.reason]);
    expect(outcomes(modify)).toEqual(
      inGroupOrder({
        [B.id]: [B.name, "modified", 390, null],
        [C.id]: [C.name, "not_mirrored", 0, "a larger share is not placed"],
      }),
    );
    expect(outcomes(cancel)).toEqual(
      inGroupOrder({
        [B.id]: [B.name, "refused", 0, "Invalid openalgo apikey"],
        [C.id]: [C.name, "already_filled", 65, null],
      }),
    );
  });

  it("shows a child's order as it stands: its units, price and the broker's text of a rejection", async () => {
    const { groupId, B, cookie } = await world3();
    const run = await db().copyEvent.findFirstOrThrow({ where: { groupId, status: "SENT" } });
    await db().orderIntent.updateMany({
      where: { runId: run.runId!, legIndex: 0, sliceIndex: 1 },
      data: {
        state: "rejected",
        filledQuantity: 0,
        averagePrice: null,
        reason: "RMS: margin exceeds",
        priceType: "LIMIT",
        price: "101.5",
        // Raised by a later modify: the log shows the order as it stands, not as planned (130).
        quantity: 130,
      },
    });
    const body = (await page(cookie, groupId, "?kind=FILL&status=SENT")).json as CopyLogPageJson;
    expect(body.items[0].children.find((c) => c.accountId === B.id)).toMatchObject({
      state: "rejected",
      brokerReason: "RMS: margin exceeds",
      filledQuantity: 65,
      quantity: 195,
      price: "101.5",
    });
  });

  it("names a bad query in the 400; viewers read it, another trader gets 404", async () => {
    const { owner, groupId, cookie } = await world3();
    const bad = await page(cookie, groupId, "?cursor=abc&status=DONE&kind=X&limit=0");
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(["cursor", "kind", "limit", "status"]);
    const viewer = await makeUser("VIEWER");
    await db().viewerTrader.create({ data: { viewerId: viewer.id, traderId: owner.id } });
    expect((await page(await sessionCookie(viewer), groupId)).status).toBe(200);
    expect((await page(await sessionCookie(await makeUser("TRADER")), groupId)).status).toBe(404);
  });
});
