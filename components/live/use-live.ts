"use client";

import { useEffect, useRef, useSyncExternalStore } from "react";

/**
 * The tab's one connection to `GET /api/stream` (docs/live-streams.md "The user stream"), shared by every component:
 * the server allows a few streams per user, so components never open their own. Opened while at least one component
 * listens; the browser's own reconnects resume from the last event id; when the server refuses or drops the stream
 * (429, a slow tab, a restart) it is reopened with backoff from that id.
 */
export type LiveState = "connecting" | "live" | "reconnecting" | "ended";

type Handler = (data: unknown) => void;

/** Every named event the stream sends (logged ones carry ids; the rest are state). */
const EVENTS = [
  "intent",
  "run",
  "account",
  "alert",
  "kill-switch",
  "risk",
  "positions",
  "prices",
  "stale",
  "resync",
  "end",
];

const handlers = new Map<string, Set<Handler>>();
const stateListeners = new Set<() => void>();
let state: LiveState = "connecting";
let source: EventSource | null = null;
let users = 0;
let lastId: string | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let closeTimer: ReturnType<typeof setTimeout> | undefined;
let attempt = 0;

function setState(next: LiveState) {
  if (state === next) return;
  state = next;
  for (const l of stateListeners) l();
}

function dispatch(event: string, m: MessageEvent<string>) {
  if (m.lastEventId) lastId = m.lastEventId;
  let data: unknown;
  try {
    data = JSON.parse(m.data);
  } catch {
    return;
  }
  for (const h of handlers.get(event) ?? []) h(data);
}

function open() {
  clearTimeout(retryTimer);
  const es = new EventSource(`/api/stream${lastId ? `?lastEventId=${encodeURIComponent(lastId)}` : ""}`);
  source = es;
  es.onopen = () => {
    attempt = 0;
    setState("live");
  };
  for (const name of EVENTS) es.addEventListener(name, (m) => dispatch(name, m as MessageEvent<string>));
  es.addEventListener("end", () => {
    es.close();
    source = null;
    setState("ended"); // the session ended: a fresh sign-in opens a new page (and stream)
  });
  es.onerror = () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // Refused (429) or failed for good: the browser will not retry on its own.
      source = null;
      setState("reconnecting");
      const delay = Math.min(30_000, 1_000 * 2 ** attempt++);
      retryTimer = setTimeout(() => users > 0 && !source && open(), delay);
    } else {
      setState("reconnecting"); // the browser retries itself, sending Last-Event-ID
    }
  };
}

function acquire() {
  users += 1;
  clearTimeout(closeTimer);
  if (!source && state !== "ended") open();
}

function release() {
  users -= 1;
  // Kept briefly: moving between pages unmounts one listener just before the next mounts.
  if (users === 0)
    closeTimer = setTimeout(() => {
      if (users > 0) return;
      clearTimeout(retryTimer);
      source?.close();
      source = null;
      setState("connecting");
    }, 5_000);
}

/** Calls `handler` for every `event` of the tab's stream while mounted (the latest handler, without re-subscribing). */
export function useLiveEvent<T>(event: string, handler: (data: T) => void): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    const h: Handler = (d) => ref.current(d as T);
    const set = handlers.get(event) ?? new Set<Handler>();
    handlers.set(event, set);
    set.add(h);
    acquire();
    return () => {
      set.delete(h);
      release();
    };
  }, [event]);
}

/** The stream's state, for a live/reconnecting marker. */
export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (l) => {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    () => state,
    () => "connecting",
  );
}
