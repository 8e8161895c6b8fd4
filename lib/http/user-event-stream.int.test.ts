import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { redis } from "@/lib/redis";
import { closeConnections, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { publishRunEvent, runChannel } from "@/lib/realtime/run-events";
import { fanout } from "@/lib/realtime/redis-fanout";
import { openStreamCount } from "@/lib/http/user-event-stream";
import { GET as eventsRoute } from "@/app/api/runs/[id]/events/route";

// Read once by lib/env.ts on first use, which happens after this hoisted block.
vi.hoisted(() => {
  process.env.SSE_MAX_STREAMS_PER_USER = "3";
  process.env.SSE_HEARTBEAT_MS = "50";
});

beforeEach(resetState);
afterAll(closeConnections);

interface OpenStream {
  abort: AbortController;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  text: string;
}

async function makeRun(ownerId: string) {
  const id = crypto.randomUUID();
  await db().strategyRun.create({
    data: { id, ownerId, kind: "TICKET", idempotencyKey: `k-${id}`, triggeredAt: new Date(), plan: {} },
  });
  return id;
}

function request(runId: string, cookie: string, abort = new AbortController()) {
  return {
    abort,
    req: new Request(`http://127.0.0.1:3000/api/runs/${runId}/events`, { headers: { cookie }, signal: abort.signal }),
  };
}

/** Opens a stream and waits for its first frame (written once the subscription is live). */
async function openStream(runId: string, cookie: string): Promise<OpenStream> {
  const { abort, req } = request(runId, cookie);
  const res = await eventsRoute(req, paramsOf({ id: runId }));
  expect(res.status).toBe(200);
  const s = { abort, reader: res.body!.getReader(), text: "" };
  await readUntil(s, (t) => t.includes("retry: 2000"));
  return s;
}

/** Reads frames until `done(text)` holds or the stream ends; returns whether the stream ended. */
async function readUntil(s: OpenStream, done: (text: string) => boolean): Promise<boolean> {
  while (!done(s.text)) {
    const chunk = await s.reader.read();
    if (chunk.done) return true;
    s.text += new TextDecoder().decode(chunk.value);
  }
  return false;
}

async function close(s: OpenStream) {
  s.abort.abort();
  await s.reader.cancel().catch(() => undefined);
}

/** Redis connections (of this test's database index) that hold at least one channel subscription. */
async function subscriberConnections(): Promise<number> {
  const dbIndex = new URL(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/1").pathname.slice(1) || "0";
  const list = (await redis().client("LIST")) as string;
  return list
    .split("\n")
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split(" ").map((kv) => kv.split("=", 2) as [string, string])))
    .filter((c) => c.db === dbIndex && Number(c.sub ?? 0) + Number(c.psub ?? 0) > 0).length;
}

const runEvent = (runId: string) => ({
  type: "run" as const,
  runId,
  status: "COMPLETED" as const,
  at: new Date().toISOString(),
});

describe("run event streams", () => {
  it("every stream of the process shares one Redis subscriber; each receives only its own run's events", async () => {
    const users = await Promise.all([1, 2, 3, 4].map(() => makeUser("TRADER")));
    const streams: { runId: string; s: OpenStream }[] = [];
    for (const u of users) {
      const cookie = await sessionCookie(u);
      for (let k = 0; k < 3; k++) {
        const runId = await makeRun(u.id);
        streams.push({ runId, s: await openStream(runId, cookie) });
      }
    }
    expect(streams).toHaveLength(12);
    expect(await subscriberConnections()).toBe(1);

    for (const { runId } of streams) await publishRunEvent(runEvent(runId));
    for (const { runId, s } of streams) {
      await readUntil(s, (t) => t.includes(runId));
      const frames = s.text.split("\n").filter((l) => l.startsWith("data: "));
      expect(frames.map((f) => JSON.parse(f.slice(6)).runId)).toEqual([runId]);
    }

    for (const { s } of streams) await close(s);
    expect(fanout().listenerCount()).toBe(0);
    const counts = (await redis().pubsub("NUMSUB", ...streams.map((x) => runChannel(x.runId)))) as (string | number)[];
    expect(counts.filter((_, i) => i % 2 === 1).map(Number)).toEqual(new Array(12).fill(0));
    for (const u of users) expect(openStreamCount(u.id)).toBe(0);
  });

  it("a user's streams beyond the cap get 429; closing one frees a slot", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    const runId = await makeRun(user.id);
    const open = [await openStream(runId, cookie), await openStream(runId, cookie), await openStream(runId, cookie)];
    const refused = await eventsRoute(request(runId, cookie).req, paramsOf({ id: runId }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect((await refused.json()).error.message).toBe(
      "Too many live streams open (at most 3); close another tab and retry",
    );
    // Another user is not affected by this user's streams.
    const other = await makeUser("TRADER");
    const theirs = await openStream(await makeRun(other.id), await sessionCookie(other));
    await close(open.pop()!);
    expect(openStreamCount(user.id)).toBe(2);
    open.push(await openStream(runId, cookie));
    for (const s of [...open, theirs]) await close(s);
    expect(openStreamCount(user.id)).toBe(0);
  });

  it.each([
    ["the user is deactivated", { active: false }],
    ["the session version is bumped", { sessionVersion: { increment: 1 } }],
  ])("an open stream ends at the next heartbeat once %s, and delivers nothing more", async (_case, change) => {
    const user = await makeUser("TRADER");
    const runId = await makeRun(user.id);
    const s = await openStream(runId, await sessionCookie(user));
    await readUntil(s, (t) => t.includes(": ping")); // heartbeats pass while the session is valid
    await db().user.update({ where: { id: user.id }, data: change });
    const ended = await readUntil(s, () => false);
    expect(ended).toBe(true);
    expect(s.text).toContain(
      'event: end\ndata: {"reason":"session-ended","message":"Your session ended; sign in again."}',
    );
    await publishRunEvent(runEvent(runId));
    expect(s.text).not.toContain('data: {"type"');
    expect(openStreamCount(user.id)).toBe(0);
    expect(fanout().listenerCount()).toBe(0);
  });
});
