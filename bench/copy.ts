/**
 * Copy benchmark (`npm run bench:copy -- --children 50 [--bursts 10] [--burst 20] [--latency 50]`).
 *
 * Starts its own world (bench/world.ts, no web app) on a dedicated database (mirrordesk_bench_copy) and Redis index
 * (13): the exchange simulator with one master and `--children` child accounts whose every reply takes `--latency`
 * ms, and the worker. One FILLS-mode copy group (multiplier 1) copies the master into every child. Orders are typed
 * into the master straight through its OpenAlgo REST API, as a broker terminal would: `--bursts` bursts of `--burst`
 * one-lot NIFTY futures MARKET orders (alternately BUY and SELL bursts, so positions go up and back down), each burst
 * fired at once and the next one only after the previous burst is fully copied.
 *
 * Latency of one master fill: from the moment its order was sent to the master (the simulator fills a MARKET order
 * as it receives it; its reply then waits `--latency` ms) to the moment the LAST child's order for that fill was
 * acknowledged by its broker (the intents' acknowledged_at). After the last burst it counts, from the simulator's own
 * order lists, orders sent more than once under one intent tag (dup_orders) and (fill, child) pairs where the child's
 * share was not zero and the run leg carrying the fill has no order at the child's broker (missed; a run's fills are
 * combined into one order per child and contract).
 * Last line: `copy children=<n> events=<n> p50_ms=<n> p99_ms=<n> dup_orders=<n> missed=<n>`; the line before it
 * gives the floor (one broker round trip) and the figures over it.
 */
import { arg, benchEnv, closeConnections, pct, sleep, startWorld } from "./world";

const CHILDREN = arg("children", 50);
const BURSTS = arg("bursts", 10);
const BURST = arg("burst", 20);
const LATENCY = arg("latency", 50);
/** How long a burst may take to be copied before its missing copies are counted as missed, ms. */
const BURST_TIMEOUT_MS = arg("timeout", 60_000);

benchEnv(
  process.env.BENCH_COPY_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_bench_copy",
  process.env.BENCH_COPY_REDIS_URL ?? "redis://127.0.0.1:6379/13",
);
const { db } = await import("@/lib/db/client");

interface Fill {
  orderId: string;
  sentAt: number;
}

async function main() {
  // BENCH_WORKER_PROFILE=<dir> writes the worker's V8 CPU profile there (for finding the hot path).
  const profile = process.env.BENCH_WORKER_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_WORKER_PROFILE}`]
    : [];
  const world = await startWorld({
    name: "copy",
    accounts: CHILDREN + 1,
    latency: LATENCY,
    web: false,
    workerArgs: profile,
  });
  try {
    const [masterId, ...childIds] = world.accountIds;
    const master = await db().tradingAccount.findUniqueOrThrow({ where: { id: masterId } });
    const apiKey = world.instanceKeys[0];
    const rest = async (route: string, body: Record<string, unknown>) => {
      const r = await fetch(`${master.hostUrl}/api/v1/${route}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ apikey: apiKey, ...body }),
      });
      const json = (await r.json()) as { status: string; orderid?: string; data?: { symbol: string }[] };
      if (!r.ok || json.status !== "success") throw new Error(`master ${route}: ${r.status} ${JSON.stringify(json)}`);
      return json;
    };
    const futures = await rest("search", { query: "FUT", exchange: "NFO" });
    const symbol = futures.data!.map((d) => d.symbol).find((s) => /^NIFTY\d/.test(s));
    if (!symbol) throw new Error("the simulator lists no NIFTY future");
    const lot = 65;

    const group = await db().copyGroup.create({
      data: {
        ownerId: world.ownerId,
        name: "bench copy",
        masterAccountId: masterId,
        startedAt: new Date(),
        children: { create: childIds.map((accountId) => ({ accountId, multiplier: "1" })) },
      },
    });
    const place = async (action: "BUY" | "SELL"): Promise<Fill> => {
      const sentAt = Date.now();
      const json = await rest("placeorder", {
        strategy: "Terminal",
        symbol,
        exchange: "NFO",
        action,
        quantity: lot,
        product: "NRML",
        pricetype: "MARKET",
        price: 0,
        trigger_price: 0,
      });
      return { orderId: json.orderid!, sentAt };
    };

    /** Per master order: the latest acknowledgement over every child, once every child has one; else null. */
    const copiedAt = async (orderIds: readonly string[]): Promise<Map<string, number>> => {
      const rows = await db().$queryRawUnsafe<{ master_order_id: string; acked: number; last_ack: Date }[]>(
        `SELECT e.master_order_id, count(i.acknowledged_at)::int AS acked, max(i.acknowledged_at) AS last_ack
           FROM copy_events e JOIN order_intents i ON i.run_id = e.run_id AND i.leg_index = e.leg_index
          WHERE e.group_id = $1::uuid AND e.master_order_id = ANY($2::text[])
          GROUP BY e.master_order_id`,
        group.id,
        [...orderIds],
      );
      return new Map(rows.filter((r) => r.acked >= childIds.length).map((r) => [r.master_order_id, +r.last_ack]));
    };

    world.say(`warming up: one master order copied into ${childIds.length} children`);
    const warm = await place("BUY");
    while ((await copiedAt([warm.orderId])).size === 0) await sleep(100);
    await place("SELL").then(async (f) => {
      while ((await copiedAt([f.orderId])).size === 0) await sleep(100);
    });

    const latencies: number[] = [];
    const fills: Fill[] = [];
    for (let b = 0; b < BURSTS; b++) {
      const action = b % 2 === 0 ? "BUY" : "SELL";
      const burst = await Promise.all(Array.from({ length: BURST }, () => place(action)));
      fills.push(...burst);
      const deadline = Date.now() + BURST_TIMEOUT_MS;
      let done = new Map<string, number>();
      while (done.size < burst.length && Date.now() < deadline) {
        await sleep(20);
        done = await copiedAt(burst.map((f) => f.orderId));
      }
      for (const f of burst) {
        const at = done.get(f.orderId);
        if (at !== undefined) latencies.push(at - f.sentAt);
      }
      world.say(
        `burst ${b + 1}/${BURSTS} (${action}): ${done.size}/${burst.length} copied, p99 so far ${pct(latencies, 99)} ms`,
      );
    }

    // Exactly once, from the broker's side: every child order's tag is an intent id; count repeats and gaps.
    const tags = new Map<string, number>();
    for (const inst of world.instanceIds.slice(1)) {
      const { orders } = (await world.control(`/instances/${inst}/orders`)) as { orders: { strategy: string }[] };
      for (const o of orders) tags.set(o.strategy, (tags.get(o.strategy) ?? 0) + 1);
    }
    const dupOrders = [...tags.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const events = await db().copyEvent.findMany({
      where: { groupId: group.id, masterOrderId: { in: fills.map((f) => f.orderId) } },
      select: { masterOrderId: true, quantity: true, runId: true, legIndex: true, children: true },
    });
    // The intent ids of every (run, leg, child): a combined leg carries several events in one order per child.
    const legIntents = new Map<string, string[]>();
    for (const i of await db().orderIntent.findMany({
      where: { run: { copyGroupId: group.id } },
      select: { id: true, runId: true, legIndex: true, accountId: true },
    })) {
      const k = `${i.runId}:${i.legIndex}:${i.accountId}`;
      legIntents.set(k, [...(legIntents.get(k) ?? []), i.id]);
    }
    let missed = 0;
    for (const f of fills) {
      const mine = events.filter((e) => e.masterOrderId === f.orderId);
      const units = mine.reduce((n, e) => n + e.quantity, 0);
      // A fill never recorded misses every child; a recorded one misses each child with a share whose carrying leg
      // has no order at the child's broker (a share netted to zero with the run's other events is not missed).
      if (units < lot) missed += childIds.length;
      for (const e of mine)
        for (const c of e.children as { accountId: string; quantity: number; combined?: { quantity: number } }[]) {
          if (c.quantity === 0 || c.combined?.quantity === 0) continue;
          const ids = legIntents.get(`${e.runId}:${e.legIndex}:${c.accountId}`) ?? [];
          if (!ids.some((id) => tags.has(id))) missed += 1;
        }
    }
    const p50 = Math.round(pct(latencies, 50));
    const p99 = Math.round(pct(latencies, 99));
    world.say(
      `floor ${LATENCY} ms (one child broker round trip); p50 ${p50} ms = ${(p50 / LATENCY).toFixed(1)}× floor, p99 ${p99} ms = ${(p99 / LATENCY).toFixed(1)}× floor`,
    );
    console.log(
      `copy children=${childIds.length} events=${fills.length} p50_ms=${p50} p99_ms=${p99} dup_orders=${dupOrders} missed=${missed}`,
    );
  } finally {
    await world.stop();
    await closeConnections();
  }
}

main().catch(async (err) => {
  console.error(err);
  await closeConnections().catch(() => undefined);
  process.exit(1);
});
