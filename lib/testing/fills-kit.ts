/**
 * Shared set-up of the fill-tracking integration tests (never used by product code): a real fill poller and BullMQ
 * fills worker (the sweep) in the test process, a transparent HTTP relay in front of the simulator that counts the REST calls each account
 * makes, and waits on stored intents.
 */
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "bullmq";
import { db } from "@/lib/db/client";
import { BULL_PREFIX } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";
import { createBlockingRedis } from "@/lib/redis";
import { closeOrderStreams, type FillPollerOptions, startFillPoller } from "@/lib/services/fills";
import { processFillsJob } from "@/workers/processors/fills";

/**
 * A real fill poller and fills worker (as workers/index.ts runs them); `polls` counts finished polls per account,
 * `immediatePolls` those of them an order update asked for (pollFillsNow), `failedPolls` those that could not read
 * the books.
 */
export async function startFillsWorker(options: FillPollerOptions = {}) {
  const connection = createBlockingRedis();
  const worker = new Worker(QUEUES.fills, processFillsJob, { connection, prefix: BULL_PREFIX, concurrency: 1 });
  const errors: Error[] = [];
  const polls = new Map<string, number>();
  const immediatePolls = new Map<string, number>();
  const failedPolls = new Map<string, number>();
  const count = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1);
  worker.on("failed", (_job, err) => errors.push(err));
  worker.on("error", (err) => errors.push(err));
  await worker.waitUntilReady();
  const poller = startFillPoller({
    ...options,
    onPoll(accountId, poll) {
      count(polls, accountId);
      if (poll.immediate) count(immediatePolls, accountId);
      if (!poll.result) count(failedPolls, accountId);
      options.onPoll?.(accountId, poll);
    },
  });
  return {
    errors,
    polls,
    immediatePolls,
    failedPolls,
    poller,
    async close() {
      await poller.stop();
      await worker.close();
      await closeOrderStreams();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/**
 * An HTTP relay to `target` that counts requests by path (`/i/<instance>/api/v1/orderbook` …): link accounts to
 * `url` instead of the simulator to count each account's broker calls as the simulator receives them. `hold` keeps
 * an endpoint's requests from the simulator until `release`, so a test can act while a caller waits on a read.
 */
export async function startCountingRelay(target: string) {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const counts = new Map<string, number>();
  const holding = new Set<string>();
  let waiting: { path: string; go: () => void }[] = [];
  const pathOf = (instanceId: string, endpoint: string) => `/i/${instanceId}/api/v1/${endpoint}`;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const forward = () => relay(req, res);
    if (holding.has(path)) waiting.push({ path, go: forward });
    else forward();
  });
  const relay = (req: IncomingMessage, res: ServerResponse) => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const release = () => {
    holding.clear();
    const go = waiting;
    waiting = [];
    for (const w of go) w.go();
  };
  return {
    url,
    /** Requests so far to `endpoint` (e.g. `orderbook`) of one simulator instance. */
    count: (instanceId: string, endpoint: string) => counts.get(pathOf(instanceId, endpoint)) ?? 0,
    /** Holds every later request to `endpoint` of the instance until `release`. */
    hold: (instanceId: string, endpoint: string) => void holding.add(pathOf(instanceId, endpoint)),
    /** Requests held now at `endpoint` of the instance. */
    held: (instanceId: string, endpoint: string) =>
      waiting.filter((w) => w.path === pathOf(instanceId, endpoint)).length,
    /** Sends every held request on, and holds nothing more. */
    release,
    async close() {
      release();
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Waits until every intent of the run satisfies `done`; returns them. */
export async function waitForIntents(runId: string, done: (i: { state: string }) => boolean, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const intents = await db().orderIntent.findMany({
      where: { runId },
      orderBy: [{ accountId: "asc" }, { legIndex: "asc" }],
    });
    if (intents.length > 0 && intents.every(done)) return intents;
    if (Date.now() > until)
      throw new Error(
        `intents of ${runId} not settled after ${timeoutMs} ms: ${intents.map((i) => i.state).join(", ")}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
