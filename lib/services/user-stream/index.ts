/**
 * The signed-in user's live stream (`GET /api/stream`, docs/live-streams.md "The user stream"): one stream per tab
 * carries everything live of the owners the user may read — run and intent progress, account status, alerts,
 * kill-switch changes (logged events with ids, replayed after a reconnect) and the positions book (state: a snapshot
 * on connect and on every fill, price deltas in between, stale changes).
 */
import { readableOwnerIds, scopeOf, type Actor } from "@/lib/auth/roles";
import { log } from "@/lib/log";
import type { SseSend } from "@/lib/realtime/sse";
import {
  currentUserSeq,
  replayUserEvents,
  subscribeUserEvents,
  type LoggedUserEvent,
} from "@/lib/realtime/user-events";
import { allPositions } from "@/lib/services/positions";
import { LiveBook } from "./book";

export type { PositionsSnapshot, PriceDelta, StaleChange } from "./book";
export type { UserEvent } from "@/lib/realtime/user-events";

/** Named SSE events of the user stream. Logged ones carry an `id:` (their sequence). */
export const STREAM_EVENTS = {
  logged: ["intent", "run", "account", "alert", "kill-switch", "notification"],
  state: ["positions", "prices", "stale", "resync"],
} as const;

/** `Last-Event-ID` as the browser sends it back: a sequence number, else null (start afresh). */
export function parseLastEventId(value: string | null): number | null {
  if (value === null || !/^\d{1,15}$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** An intent event that moved fills changes positions. */
const movesPositions = (e: LoggedUserEvent) => e.event.type === "intent" && e.event.filledQuantity > 0;

/**
 * Starts the stream's feeds and returns the function that stops them. Order: subscribe the owners' channels, replay
 * what the log holds after `lastEventId` (or after the sequence read before subscribing), drop live events already
 * sent, then read the positions book.
 */
export async function openUserStream(
  actor: Actor,
  lastEventId: number | null,
  send: SseSend,
): Promise<() => Promise<void>> {
  const owners = readableOwnerIds(scopeOf(actor));
  const startSeq = await currentUserSeq();
  let lastSent = lastEventId ?? startSeq;
  let replaying = true;
  const buffered: LoggedUserEvent[] = [];

  // Positions are re-read one at a time; a fill during a read asks for one more read after it.
  let reading: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const book = new LiveBook({
    snapshot: (s) => send(s, { event: "positions" }),
    prices: (d) => send(d, { event: "prices" }),
    stale: (c) => send(c, { event: "stale" }),
  });
  const refresh = (): void => {
    if (reading) {
      again = true;
      return;
    }
    reading = (async () => {
      do {
        again = false;
        if (stopped) return;
        try {
          await book.replace(await allPositions(actor));
        } catch (err) {
          log().warn({ err, userId: actor.id }, "live positions not refreshed");
        }
      } while (again && !stopped);
    })().finally(() => {
      reading = null;
    });
  };

  const deliver = (e: LoggedUserEvent) => {
    if (e.seq <= lastSent) return; // replayed already, or before this stream's start
    lastSent = e.seq;
    send({ ownerId: e.ownerId, ...e.event }, { event: e.event.type, id: String(e.seq) });
    if (movesPositions(e)) refresh();
  };
  const stopEvents = await subscribeUserEvents(owners, (e) => {
    if (replaying) buffered.push(e);
    else deliver(e);
  });
  try {
    const newest = await currentUserSeq();
    const replay = lastSent > newest ? { gap: true, events: [] } : await replayUserEvents(owners, lastSent);
    if (replay.gap) {
      // The log no longer holds what the browser missed (or Redis was reset): it re-reads everything instead.
      lastSent = Math.max(newest, ...buffered.map((e) => e.seq));
      send({ seq: lastSent }, { event: "resync", id: String(lastSent) });
    }
    for (const e of replay.events) deliver(e);
    replaying = false;
    for (const e of buffered.splice(0)) deliver(e);
    refresh();
    await reading;
  } catch (err) {
    await stopEvents();
    throw err;
  }
  return async () => {
    stopped = true;
    await stopEvents();
    await reading;
    await book.close();
  };
}
